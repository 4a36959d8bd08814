import type { DashboardRow, Overview } from '../../lib/api-types.js';
import { scheduleInWords } from '../../lib/schedule-words.js';
import { actionButtons } from '../actions.js';
import { relativeAndAbsolute, relativeTime } from '../clock.js';
import type { Context, View } from '../context.js';
import { fill, h } from '../dom.js';
import { livePanel, resultBadge, runFigures, stateBadge, warningBadges } from '../widgets.js';

const hostLink = (hostname: string) => `#/registry/${encodeURIComponent(hostname)}`;

function lastRun(row: DashboardRow): HTMLElement {
  const run = row.lastRun;
  if (!run) return h('div', { class: 'cell' }, h('span', { class: 'label' }, 'Last run'), h('span', { class: 'muted' }, 'none yet'));
  return h(
    'div',
    { class: 'cell' },
    h('span', { class: 'label' }, 'Last run'),
    h(
      'a',
      { href: `#/run/${run.id}`, class: 'last-run' },
      resultBadge(run.result),
      ' ',
      relativeTime(run.endedAt ?? run.startedAt, row.timezone),
    ),
    run.result === 'running' ? null : h('span', { class: 'figures' }, runFigures(run)),
    run.error ? h('span', { class: 'error-text' }, run.error) : null,
  );
}

function rowElement(row: DashboardRow, context: Context): HTMLElement {
  const live = context.live(row.hostname);
  return h(
    'li',
    { class: `row row-${row.state}`, 'data-registry': row.hostname },
    h(
      'div',
      { class: 'row-head' },
      h('a', { href: hostLink(row.hostname), class: 'host mono' }, row.hostname),
      stateBadge(row.state),
      warningBadges(row),
      actionButtons(row, context),
    ),
    h(
      'div',
      { class: 'row-body' },
      h(
        'div',
        { class: 'cell' },
        h('span', { class: 'label' }, 'Schedule'),
        h('span', { class: 'schedule' }, scheduleInWords(row.schedule, row.timezone)),
      ),
      h(
        'div',
        { class: 'cell' },
        h('span', { class: 'label' }, 'Next run'),
        row.state === 'paused'
          ? h('span', { class: 'muted' }, 'paused')
          : row.schedule === undefined
            ? h('span', { class: 'muted' }, 'on demand only')
            : h('span', { class: 'next-run' }, relativeAndAbsolute(row.nextRun, row.timezone)),
      ),
      lastRun(row),
    ),
    h(
      'div',
      { class: 'live-slot', 'data-registry': row.hostname },
      live && live.phase !== 'done' ? livePanel(live, row.timezone, false) : null,
    ),
  );
}

/** Every registry in one list: state, schedule in words, next run, last run, warnings, live progress, actions. */
export function overviewView(context: Context): View {
  const list = h('ul', { class: 'rows' });
  const summary = h('p', { class: 'muted summary' });
  const rendered = new Map<string, string>();
  const render = (overview: Overview) => {
    const rows = overview.registries;
    const states = rows.map((r) => r.state);
    const count = (state: string) => states.filter((s) => s === state).length;
    summary.textContent = `${rows.length} ${rows.length === 1 ? 'registry' : 'registries'}: ${count('running')} running, ${count('paused')} paused, ${rows.filter((r) => r.overdue || r.failedStreak > 0).length} needing a look`;
    if (rows.length === 0) return fill(list, h('li', { class: 'muted' }, 'No registry is configured.'));
    // A row is drawn again only when it changed: a click on a row that stays the same is never lost.
    const keep = new Map([...list.querySelectorAll<HTMLElement>(':scope > li.row')].map((li) => [li.dataset.registry ?? '', li]));
    fill(
      list,
      rows.map((row) => {
        const key = JSON.stringify({ ...row, live: null });
        const existing = keep.get(row.hostname);
        if (existing && rendered.get(row.hostname) === key) return existing;
        rendered.set(row.hostname, key);
        return rowElement(row, context);
      }),
    );
  };
  const current = context.overview();
  if (current) render(current);
  else fill(list, h('li', { class: 'muted' }, 'Loading…'));
  return {
    element: h('section', { class: 'overview' }, h('h1', {}, 'Registries'), summary, list),
    overview: render,
    live: (runs) => {
      for (const run of runs) {
        const slot = list.querySelector<HTMLElement>(`.live-slot[data-registry="${CSS.escape(run.registry)}"]`);
        const row = context.row(run.registry);
        if (slot && row) fill(slot, run.phase === 'done' ? null : livePanel(run, row.timezone, false));
      }
    },
  };
}
