import type { DashboardRow, LiveRun, Overview } from '../../lib/api-types.js';
import { scheduleInWords } from '../../lib/schedule-words.js';
import { rowWarnings } from '../../lib/warnings.js';
import { ActionButtons } from '../actions.js';
import { relativeAndAbsolute, relativeTime } from '../clock.js';
import type { Context, View } from '../context.js';
import { arrange, fill, h, keyed } from '../dom.js';
import { drawLive, resultBadge, runFigures, stateBadge, warningBadges } from '../widgets.js';

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

function nextRun(row: DashboardRow): HTMLElement {
  if (row.state === 'paused') return h('span', { class: 'muted' }, 'paused');
  if (row.schedule === undefined) return h('span', { class: 'muted' }, 'on demand only');
  return h('span', { class: 'next-run' }, relativeAndAbsolute(row.nextRun, row.timezone));
}

/**
 * A registry's row, made once: each part is drawn again only when what it shows changed (see keyed),
 * and its buttons are never replaced, so live updates leave focus, clicks and scrolling alone.
 */
class RowElement {
  readonly li: HTMLElement;
  readonly #badges = h('span', { class: 'badges' });
  readonly #actions: ActionButtons;
  readonly #schedule = h('div', { class: 'cell' });
  readonly #next = h('div', { class: 'cell' });
  readonly #last = h('div', { class: 'cell-slot' });
  readonly #live: HTMLElement;

  constructor(hostname: string, context: Context) {
    this.#actions = new ActionButtons(hostname, context);
    this.#live = h('div', { class: 'live-slot', 'data-registry': hostname });
    this.li = h(
      'li',
      { class: 'row', 'data-registry': hostname },
      h(
        'div',
        { class: 'row-head' },
        h('a', { href: hostLink(hostname), class: 'host mono' }, hostname),
        this.#badges,
        h('span', { class: 'actions-slot' }, this.#actions.element),
      ),
      h('div', { class: 'row-body' }, this.#schedule, this.#next, this.#last),
      this.#live,
    );
  }

  update(row: DashboardRow, live: LiveRun | undefined): void {
    this.li.className = `row row-${row.state}`;
    keyed(this.#badges, JSON.stringify([row.state, row.overdue, row.expectedTick, row.failedStreak]), () => [
      stateBadge(row.state),
      warningBadges(row),
    ]);
    this.#actions.update(row.state);
    keyed(this.#schedule, JSON.stringify([row.schedule, row.timezone]), () => [
      h('span', { class: 'label' }, 'Schedule'),
      h('span', { class: 'schedule' }, scheduleInWords(row.schedule, row.timezone)),
    ]);
    keyed(this.#next, JSON.stringify([row.state, row.schedule, row.nextRun, row.timezone]), () => [
      h('span', { class: 'label' }, 'Next run'),
      nextRun(row),
    ]);
    keyed(this.#last, JSON.stringify([row.lastRun, row.timezone]), () => lastRun(row));
    this.drawLive(live, row.timezone);
  }

  drawLive(live: LiveRun | undefined, timezone: string): void {
    drawLive(this.#live, live, timezone, false);
  }
}

/** Every registry in one list: state, schedule in words, next run, last run, warnings, live progress, actions. */
export function overviewView(context: Context): View {
  const list = h('ul', { class: 'rows' });
  const summary = h('p', { class: 'muted summary' });
  const rows = new Map<string, RowElement>();
  const render = (overview: Overview) => {
    const registries = overview.registries;
    const count = (state: string) => registries.filter((r) => r.state === state).length;
    const attention = registries.filter((r) => rowWarnings(r).length > 0).length;
    summary.textContent = `${registries.length} ${registries.length === 1 ? 'registry' : 'registries'}: ${count('running')} running, ${count('paused')} paused, ${attention} needing a look`;
    if (registries.length === 0) {
      rows.clear();
      fill(list, h('li', { class: 'muted' }, 'No registry is configured.'));
      return;
    }
    for (const hostname of rows.keys()) if (!registries.some((r) => r.hostname === hostname)) rows.delete(hostname);
    const elements = registries.map((row) => {
      let element = rows.get(row.hostname);
      if (!element) rows.set(row.hostname, (element = new RowElement(row.hostname, context)));
      element.update(row, context.live(row.hostname));
      return element.li;
    });
    arrange(list, elements);
  };
  const current = context.overview();
  if (current) render(current);
  else fill(list, h('li', { class: 'muted' }, 'Loading…'));
  return {
    element: h('section', { class: 'overview' }, h('h1', {}, 'Registries'), summary, list),
    overview: render,
    live: (runs) => {
      for (const run of runs) rows.get(run.registry)?.drawLive(run, context.row(run.registry)?.timezone ?? 'UTC');
    },
  };
}
