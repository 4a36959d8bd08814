import type { RunPage } from '../../lib/api-types.js';
import { bytes, duration, rate } from '../../lib/format.js';
import { scheduleInWords } from '../../lib/schedule-words.js';
import { actionButtons } from '../actions.js';
import { api } from '../api.js';
import { relativeAndAbsolute, relativeTime } from '../clock.js';
import type { Context, View } from '../context.js';
import { fill, h } from '../dom.js';
import { livePanel, resultBadge, stateBadge, warningBadges } from '../widgets.js';
import { runChart } from './chart.js';

const PAGE = 20;

/** One registry: its schedule and state, the run going on in detail, its history a page at a time with a chart. */
export function registryView(context: Context, hostname: string): View {
  const head = h('div', { class: 'page-head' });
  const facts = h('dl', { class: 'facts' });
  const liveSlot = h('div', { class: 'live-slot detailed', 'data-registry': hostname });
  const failedOnly = h('input', { type: 'checkbox', id: 'failed-only', onchange: () => void load([]) });
  const chart = h('div', { class: 'chart-slot' });
  const table = h('div', { class: 'table-slot' });
  const pager = h('div', { class: 'pager' });
  /** Cursors of the pages before the one shown (empty on the first). */
  let cursors: number[] = [];
  let loading = 0;

  const drawHead = () => {
    const row = context.row(hostname);
    if (!row)
      return fill(
        head,
        h('a', { href: '#/' }, '← Registries'),
        h('h1', { class: 'mono' }, hostname),
        h('p', { class: 'muted' }, 'Not configured (any more): its history is below.'),
      );
    fill(
      head,
      h('a', { href: '#/' }, '← Registries'),
      h(
        'div',
        { class: 'row-head' },
        h('h1', { class: 'host mono' }, hostname),
        stateBadge(row.state),
        warningBadges(row),
        actionButtons(row, context),
      ),
    );
    fill(
      facts,
      h('dt', {}, 'Schedule'),
      h(
        'dd',
        { class: 'schedule' },
        scheduleInWords(row.schedule, row.timezone),
        row.schedule ? h('span', { class: 'muted mono' }, ` ${row.schedule}`) : null,
      ),
      h('dt', {}, 'Next run'),
      h('dd', { class: 'next-run' }, row.state === 'paused' ? 'paused' : relativeAndAbsolute(row.nextRun, row.timezone)),
      h('dt', {}, 'Runs kept'),
      h('dd', {}, String(row.runs), row.skippedTicks > 0 ? ` (${row.skippedTicks} ticks skipped while a run was still going)` : ''),
    );
    drawLive();
  };
  const drawLive = () => {
    const live = context.live(hostname);
    const timezone = context.row(hostname)?.timezone ?? 'UTC';
    fill(liveSlot, live ? [h('h2', {}, live.phase === 'done' ? 'Last run' : 'Current run'), livePanel(live, timezone, true)] : null);
  };

  const load = async (next: number[]) => {
    const ticket = ++loading;
    const before = next.at(-1);
    const query = new URLSearchParams({
      registry: hostname,
      limit: String(PAGE),
      ...(before === undefined ? {} : { before: String(before) }),
      ...(failedOnly.checked ? { failed: 'true' } : {}),
    });
    let page: RunPage;
    try {
      page = await api.get<RunPage>(`api/sync/runs?${query}`);
    } catch (error) {
      context.notice(`history: ${(error as Error).message}`, 'error');
      return;
    }
    if (ticket !== loading) return;
    cursors = next;
    const timezone = context.row(hostname)?.timezone ?? 'UTC';
    fill(chart, runChart(page.runs));
    fill(
      table,
      page.runs.length === 0
        ? h('p', { class: 'muted empty' }, failedOnly.checked ? 'No failed run.' : 'No run yet.')
        : h(
            'table',
            { class: 'runs' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Run', 'Started', 'Trigger', 'Result', 'Copied', 'Up to date', 'Failed', 'Bytes', 'Duration', 'Throughput'].map((t) =>
                  h('th', {}, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              page.runs.map((run) =>
                h(
                  'tr',
                  { class: `run run-${run.result}`, 'data-run': run.id },
                  h('td', { 'data-label': 'Run' }, h('a', { href: `#/run/${run.id}` }, `#${run.id}`)),
                  h('td', { 'data-label': 'Started' }, relativeTime(run.startedAt, timezone)),
                  h('td', { 'data-label': 'Trigger' }, run.trigger),
                  h('td', { 'data-label': 'Result' }, resultBadge(run.result)),
                  h('td', { 'data-label': 'Copied', class: 'num' }, run.copied),
                  h('td', { 'data-label': 'Up to date', class: 'num' }, run.upToDate),
                  h('td', { 'data-label': 'Failed', class: 'num' }, run.failed),
                  h('td', { 'data-label': 'Bytes', class: 'num' }, bytes(run.bytes)),
                  h('td', { 'data-label': 'Duration', class: 'num' }, run.durationMs === null ? '—' : duration(run.durationMs)),
                  h('td', { 'data-label': 'Throughput', class: 'num' }, run.bytesPerSecond === null ? '—' : rate(run.bytesPerSecond)),
                ),
              ),
            ),
          ),
    );
    fill(
      pager,
      cursors.length > 0
        ? h('button', { type: 'button', class: 'secondary', onclick: () => void load(cursors.slice(0, -1)) }, '← Newer')
        : null,
      page.next !== null
        ? h('button', { type: 'button', class: 'secondary', onclick: () => void load([...cursors, page.next as number]) }, 'Older →')
        : null,
    );
  };

  drawHead();
  void load([]);
  return {
    element: h(
      'section',
      { class: 'registry' },
      head,
      facts,
      liveSlot,
      h('h2', {}, 'History'),
      h('div', { class: 'toolbar' }, h('label', { for: 'failed-only', class: 'check' }, failedOnly, ' Failed only')),
      chart,
      table,
      pager,
    ),
    overview: () => drawHead(),
    live: (runs) => {
      if (runs.some((run) => run.registry === hostname)) drawLive();
    },
    changed: (changes) => {
      if (changes.registries.includes(hostname) && cursors.length === 0) void load([]);
    },
  };
}
