import type { RunDetail, RunImage, RunPrune } from '../../lib/api-types.js';
import { bytes, duration, rate } from '../../lib/format.js';
import { api } from '../api.js';
import { relativeAndAbsolute } from '../clock.js';
import type { Context, View } from '../context.js';
import { fill, h, keyed, reconcile } from '../dom.js';
import { drawLive, headedTable, resultBadge } from '../widgets.js';

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
      image.error
        ? h('div', { class: 'error-text' }, h('strong', {}, image.error.code), ': ', image.error.message)
        : image.status === 'skipped' && image.note
          ? h('div', { class: 'muted' }, image.note)
          : '',
    ),
  );
}

function pruneRow(prune: RunPrune): HTMLElement {
  return h(
    'tr',
    { class: `prune prune-${prune.outcome}` },
    h('td', { 'data-label': 'Outcome' }, resultBadge(prune.outcome)),
    h('td', { 'data-label': 'Target tag', class: 'mono' }, prune.target),
    h('td', { 'data-label': 'Digest', class: 'mono', title: prune.digest }, shortDigest(prune.digest)),
    h('td', { 'data-label': 'Why' }, `${prune.rule}: ${prune.reason}`),
  );
}

function runFacts(d: RunDetail, timezone: string): HTMLElement[] {
  const { run } = d;
  return [
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
      h(
        'dd',
        {},
        `${run.copied} copied, ${run.upToDate} up to date, ${run.skipped ? `${run.skipped} skipped (platform), ` : ''}${run.failed} failed, ${run.cancelled} cancelled`,
      ),
      h('dt', {}, 'Bytes'),
      h('dd', {}, bytes(run.bytes), run.bytesPerSecond === null ? '' : ` at ${rate(run.bytesPerSecond)}`),
    ),
    ...(run.error ? [h('div', { class: 'run-error error-text', role: 'note' }, h('strong', {}, 'The run failed: '), run.error)] : []),
  ];
}

/**
 * One run: its figures, why it failed, each image's outcome with its failure text; live while it goes
 * on. Its parts are drawn again only when they changed, the filter never: live updates keep the focus.
 */
export function runView(context: Context, id: number): View {
  const head = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const liveSlot = h('div', { class: 'live-slot detailed' });
  const failedOnly = h('input', { type: 'checkbox', id: 'failed-images', onchange: () => detail && draw(detail) });
  const failedCount = h('span', {});
  const empty = h('p', { class: 'muted empty', hidden: true });
  const { table, tbody } = headedTable('images', ['Outcome', 'Image', 'Digest', 'Bytes', 'Error']);
  const images = h(
    'div',
    { hidden: true },
    h('h2', {}, 'Images'),
    h('div', { class: 'toolbar' }, h('label', { for: 'failed-images', class: 'check' }, failedOnly, ' Failed only', failedCount)),
    empty,
    table,
  );
  // Only runs that pruned something show the section.
  const prunes = headedTable('prunes', ['Outcome', 'Target tag', 'Digest', 'Why']);
  const pruned = h('div', { class: 'pruned', hidden: true }, h('h2', {}, 'Pruned'), prunes.table);
  let detail: RunDetail | undefined;

  const drawLiveRun = (d: RunDetail) => {
    const live = context.live(d.run.registry);
    const going = live?.runId === d.run.id && live.phase !== 'done' ? live : undefined;
    drawLive(liveSlot, going, context.row(d.run.registry)?.timezone ?? 'UTC', true);
  };
  const draw = (d: RunDetail) => {
    const timezone = context.row(d.run.registry)?.timezone ?? 'UTC';
    keyed(head, JSON.stringify([d.run, timezone]), () => runFacts(d, timezone));
    drawLiveRun(d);
    const shown = failedOnly.checked ? d.images.filter((i) => i.status === 'failed') : d.images;
    failedCount.textContent = ` (${d.images.filter((i) => i.status === 'failed').length})`;
    images.hidden = false;
    reconcile(
      tbody,
      shown,
      (i) => `${i.source} ${i.target}`,
      (i) => JSON.stringify(i),
      imageRow,
    );
    table.hidden = shown.length === 0;
    empty.hidden = shown.length > 0;
    empty.textContent =
      d.images.length > 0
        ? 'No failed image.'
        : d.run.result === 'running'
          ? 'The images are listed here when the run ends.'
          : 'No image in this run.';
    reconcile(
      prunes.tbody,
      d.prunes,
      (p) => `${p.rule} ${p.target}`,
      (p) => JSON.stringify(p),
      pruneRow,
    );
    pruned.hidden = prunes.table.hidden = d.prunes.length === 0;
  };

  const load = async () => {
    try {
      detail = await api.get<RunDetail>(`api/sync/runs/${id}`);
      draw(detail);
    } catch (error) {
      images.hidden = pruned.hidden = true;
      head.dataset.key = 'error';
      fill(
        head,
        h('a', { href: '#/' }, '← Registries'),
        h('h1', {}, `Run #${id}`),
        h('p', { class: 'error-text' }, (error as Error).message),
      );
    }
  };
  void load();
  return {
    element: h('section', { class: 'run-page' }, head, liveSlot, images, pruned),
    live: (runs) => {
      if (detail && runs.some((r) => r.registry === detail?.run.registry && r.runId === id)) drawLiveRun(detail);
    },
    changed: (changes) => {
      if (detail && changes.registries.includes(detail.run.registry)) void load();
    },
  };
}
