import type { RunDetail, RunImage } from '../../lib/api-types.js';
import { bytes, duration, rate } from '../../lib/format.js';
import { api } from '../api.js';
import { relativeAndAbsolute } from '../clock.js';
import type { Context, View } from '../context.js';
import { fill, h } from '../dom.js';
import { livePanel, resultBadge } from '../widgets.js';

const shortDigest = (digest: string | null) => (digest ? `${digest.slice(0, 19)}…` : '—');

function imageRow(image: RunImage): HTMLElement {
  return h(
    'tr',
    { class: `image image-${image.status}` },
    h('td', { 'data-label': 'Outcome' }, resultBadge(image.status)),
    h('td', { 'data-label': 'Image' }, h('div', { class: 'mono' }, image.source), h('div', { class: 'mono muted' }, '→ ', image.target)),
    h('td', { 'data-label': 'Digest', class: 'mono', title: image.digest ?? '' }, shortDigest(image.digest)),
    h('td', { 'data-label': 'Bytes', class: 'num' }, bytes(image.bytes)),
    h(
      'td',
      { 'data-label': 'Error' },
      image.error ? h('div', { class: 'error-text' }, h('strong', {}, image.error.code), ': ', image.error.message) : '',
    ),
  );
}

/** One run: its figures, why it failed, each image's outcome with its failure text; live while it goes on. */
export function runView(context: Context, id: number): View {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const failedOnly = h('input', { type: 'checkbox', id: 'failed-images', onchange: () => detail && draw(detail) });
  let detail: RunDetail | undefined;

  const draw = (d: RunDetail) => {
    const { run } = d;
    const timezone = context.row(run.registry)?.timezone ?? 'UTC';
    const live = context.live(run.registry);
    const images = failedOnly.checked ? d.images.filter((i) => i.status === 'failed') : d.images;
    const failed = d.images.filter((i) => i.status === 'failed').length;
    fill(
      body,
      h('a', { href: `#/registry/${encodeURIComponent(run.registry)}` }, `← ${run.registry}`),
      h('div', { class: 'row-head' }, h('h1', {}, `Run #${run.id}`), resultBadge(run.result)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Registry'),
        h('dd', { class: 'mono' }, run.registry),
        h('dt', {}, 'Trigger'),
        h('dd', {}, run.trigger),
        h('dt', {}, 'Started'),
        h('dd', {}, relativeAndAbsolute(run.startedAt, timezone)),
        h('dt', {}, 'Duration'),
        h('dd', {}, run.durationMs === null ? 'still going' : duration(run.durationMs)),
        h('dt', {}, 'Images'),
        h('dd', {}, `${run.copied} copied, ${run.upToDate} up to date, ${run.failed} failed, ${run.cancelled} cancelled`),
        h('dt', {}, 'Bytes'),
        h('dd', {}, bytes(run.bytes), run.bytesPerSecond === null ? '' : ` at ${rate(run.bytesPerSecond)}`),
      ),
      run.error ? h('div', { class: 'run-error error-text', role: 'note' }, h('strong', {}, 'The run failed: '), run.error) : null,
      live && live.runId === run.id && live.phase !== 'done'
        ? h('div', { class: 'live-slot detailed' }, livePanel(live, timezone, true))
        : null,
      h('h2', {}, 'Images'),
      h('div', { class: 'toolbar' }, h('label', { for: 'failed-images', class: 'check' }, failedOnly, ` Failed only (${failed})`)),
      d.images.length === 0
        ? h(
            'p',
            { class: 'muted empty' },
            run.result === 'running' ? 'The images are listed here when the run ends.' : 'No image in this run.',
          )
        : images.length === 0
          ? h('p', { class: 'muted empty' }, 'No failed image.')
          : h(
              'table',
              { class: 'images' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Outcome', 'Image', 'Digest', 'Bytes', 'Error'].map((t) => h('th', {}, t)),
                ),
              ),
              h('tbody', {}, images.map(imageRow)),
            ),
    );
  };

  const load = async () => {
    try {
      detail = await api.get<RunDetail>(`api/sync/runs/${id}`);
      draw(detail);
    } catch (error) {
      fill(
        body,
        h('a', { href: '#/' }, '← Registries'),
        h('h1', {}, `Run #${id}`),
        h('p', { class: 'error-text' }, (error as Error).message),
      );
    }
  };
  void load();
  return {
    element: h('section', { class: 'run-page' }, body),
    live: (runs) => {
      if (detail && runs.some((r) => r.registry === detail?.run.registry && r.runId === id)) draw(detail);
    },
    changed: (changes) => {
      if (detail && changes.registries.includes(detail.run.registry)) void load();
    },
  };
}
