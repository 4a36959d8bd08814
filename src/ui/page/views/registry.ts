import type { HistoryRun, RunPage } from '../../lib/api-types.js';
import { bytes, duration, rate } from '../../lib/format.js';
import { scheduleInWords } from '../../lib/schedule-words.js';
import { ActionButtons } from '../actions.js';
import { api } from '../api.js';
import { relativeAndAbsolute, relativeTime } from '../clock.js';
import type { Context, View } from '../context.js';
import { fill, h, keyed, reconcile } from '../dom.js';
import { Pager } from '../pager.js';
import { drawLive, headedTable, resultBadge, stateBadge, warningBadges } from '../widgets.js';
import { runChart } from './chart.js';

const PAGE = 20;
const COLUMNS = ['Run', 'Started', 'Trigger', 'Result', 'Copied', 'Up to date', 'Failed', 'Bytes', 'Duration', 'Throughput'];

function runRow(run: HistoryRun, timezone: string): HTMLElement {
  return h(
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
  );
}

/**
 * One registry: its schedule and state, the run going on in detail, its history a page at a time with
 * a chart. Live updates change only the parts that changed (see keyed, reconcile): focus stays put.
 */
export function registryView(context: Context, hostname: string): View {
  const actions = new ActionButtons(hostname, context);
  const badges = h('span', { class: 'badges' });
  const head = h(
    'div',
    { class: 'page-head' },
    h('a', { href: '#/' }, '← Registries'),
    h(
      'div',
      { class: 'row-head' },
      h('h1', { class: 'host mono' }, hostname),
      badges,
      h('span', { class: 'actions-slot' }, actions.element),
    ),
  );
  const facts = h('dl', { class: 'facts' });
  const liveSlot = h('div', { class: 'live-slot detailed', 'data-registry': hostname });
  const failedOnly = h('input', { type: 'checkbox', id: 'failed-only', onchange: () => void load([]) });
  const chart = h('div', { class: 'chart-slot' });
  const empty = h('p', { class: 'muted empty', hidden: true });
  const { table, tbody } = headedTable('runs', COLUMNS);
  const pager = new Pager<number>((cursors) => void load(cursors));
  let loading = 0;

  const drawHead = () => {
    const row = context.row(hostname);
    actions.update(row?.state ?? 'stopped');
    if (!row) {
      fill(badges);
      keyed(facts, 'gone', () => h('p', { class: 'muted' }, 'Not configured (any more): its history is below.'));
      return;
    }
    keyed(badges, JSON.stringify([row.state, row.overdue, row.expectedTick, row.failedStreak]), () => [
      stateBadge(row.state),
      warningBadges(row),
    ]);
    keyed(facts, JSON.stringify([row.schedule, row.timezone, row.state, row.nextRun, row.runs, row.skippedTicks]), () => [
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
    ]);
    drawLiveRun();
  };
  const drawLiveRun = () => drawLive(liveSlot, context.live(hostname), context.row(hostname)?.timezone ?? 'UTC', true, true);

  const load = async (cursors: number[]) => {
    const ticket = ++loading;
    // The page asked for, at once: a live refresh of the first page must not win over a click on Older.
    pager.cursors = cursors;
    const before = cursors.at(-1);
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
    const timezone = context.row(hostname)?.timezone ?? 'UTC';
    keyed(chart, JSON.stringify(page.runs.map((r) => [r.id, r.durationMs, r.bytesPerSecond, r.result])), () => runChart(page.runs));
    reconcile(
      tbody,
      page.runs,
      (run) => String(run.id),
      (run) => JSON.stringify([run, timezone]),
      (run) => runRow(run, timezone),
    );
    table.hidden = page.runs.length === 0;
    empty.hidden = page.runs.length > 0;
    empty.textContent = failedOnly.checked ? 'No failed run.' : 'No run yet.';
    pager.update(cursors, page.next);
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
      h('div', { class: 'table-slot' }, empty, table),
      pager.element,
    ),
    overview: () => drawHead(),
    live: (runs) => {
      if (runs.some((run) => run.registry === hostname)) drawLiveRun();
    },
    changed: (changes) => {
      if (changes.registries.includes(hostname) && pager.cursors.length === 0) void load([]);
    },
  };
}
