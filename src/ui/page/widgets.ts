import type { DashboardRow, LiveRun } from '../lib/api-types.js';
import { bytes, counts, duration, percent, progress, rate } from '../lib/format.js';
import { rowWarnings } from '../lib/warnings.js';
import { relativeTime } from './clock.js';
import { h, keyed } from './dom.js';

const PHASE_WORDS: Record<LiveRun['phase'], string> = { listing: 'Listing images', checking: 'Checking', copying: 'Copying', done: 'Done' };

/** A table hidden until it has rows: a header row of `columns`, and the body rows go into. */
export function headedTable(className: string, columns: readonly string[]): { table: HTMLTableElement; tbody: HTMLTableSectionElement } {
  const tbody = h('tbody', {});
  const table = h(
    'table',
    { class: className, hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((t) => h('th', {}, t)),
      ),
    ),
    tbody,
  );
  return { table, tbody };
}

export function stateBadge(state: DashboardRow['state']): HTMLElement {
  return h('span', { class: `badge state-${state}`, 'data-state': state }, state);
}

export function resultBadge(result: string): HTMLElement {
  return h('span', { class: `badge result-${result}`, 'data-result': result }, result.replace(/-/g, ' '));
}

export function warningBadges(row: DashboardRow): HTMLElement[] {
  return rowWarnings(row).map((w) => h('span', { class: `badge warn warn-${w.kind}`, title: w.detail }, '⚠ ', w.text));
}

/** A run as it goes: phase, images done of total, bytes and rate; in detail, the images in flight and the latest failures. */
export function livePanel(run: LiveRun, timezone: string, detailed: boolean): HTMLElement {
  const ended = run.phase === 'done';
  const total = run.listed;
  const head = h(
    'div',
    { class: 'live-head' },
    h('strong', { class: `phase phase-${run.phase}`, 'data-phase': run.phase }, PHASE_WORDS[run.phase]),
    ended && run.result ? [' ', resultBadge(run.result)] : null,
    h('span', { class: 'live-count' }, `${progress(run.done, total)} images`),
  );
  const bar = h('progress', {
    class: 'live-bar',
    max: total ?? 1,
    value: total === null ? 0 : run.done,
    'aria-label': `${percent(run.done, total)}% of the images`,
  });
  const facts = h(
    'div',
    { class: 'live-facts' },
    h('span', {}, bytes(run.bytes)),
    h('span', {}, ended ? `${rate(run.bytesPerSecond)} average` : rate(run.bytesPerSecond)),
    ended
      ? h('span', {}, `in ${duration(Date.parse(run.endedAt ?? run.startedAt) - Date.parse(run.startedAt))}`)
      : h('span', {}, `${run.inFlight} in flight`),
    run.retries > 0 ? h('span', {}, `${run.retries} retries`) : null,
    ended || run.done > 0 ? h('span', {}, counts(run)) : null,
    h('span', { class: 'muted' }, `${run.trigger} run, started `, relativeTime(run.startedAt, timezone)),
  );
  const parts: Array<HTMLElement | null> = [head, bar, facts];
  if (run.error) parts.push(h('p', { class: 'error-text' }, run.error));
  const [first] = run.images;
  if (!detailed && first)
    parts.push(
      h(
        'div',
        { class: 'muted in-flight-line' },
        h('span', { class: 'mono' }, first.target),
        run.inFlight > 1 ? ` and ${run.inFlight - 1} more` : '',
      ),
    );
  if (detailed && run.images.length > 0) {
    parts.push(
      h(
        'ul',
        { class: 'in-flight' },
        run.images.map((image) =>
          h(
            'li',
            {},
            h('span', { class: 'mono target' }, image.target),
            h('span', { class: `phase phase-${image.phase}` }, PHASE_WORDS[image.phase]),
            h('span', { class: 'muted' }, image.bytesTotal > 0 ? `${bytes(image.bytesDone)} of ${bytes(image.bytesTotal)}` : ''),
          ),
        ),
        run.inFlight > run.images.length ? h('li', { class: 'muted' }, `and ${run.inFlight - run.images.length} more`) : null,
      ),
    );
  }
  if (detailed && run.failures.length > 0) {
    parts.push(
      h(
        'ul',
        { class: 'failures' },
        run.failures.map((f) =>
          h('li', {}, h('span', { class: 'mono' }, f.target), h('span', { class: 'error-text' }, `${f.code}: ${f.message}`)),
        ),
      ),
    );
  }
  return h('div', { class: `live live-${run.phase}`, 'data-registry': run.registry, 'aria-live': 'polite' }, parts);
}

/**
 * Shows `run` (unless it is done and `whenDone` is false) in `slot`, drawn again only when the run
 * changed: messages that change nothing in it leave it, and a selection in it, alone.
 */
export function drawLive(slot: HTMLElement, run: LiveRun | undefined, timezone: string, detailed: boolean, heading = false): void {
  const shown = run && (detailed || run.phase !== 'done') ? run : undefined;
  keyed(slot, JSON.stringify([shown ?? null, timezone]), () =>
    shown
      ? [heading ? h('h2', {}, shown.phase === 'done' ? 'Last run' : 'Current run') : null, livePanel(shown, timezone, detailed)]
      : null,
  );
}

/** A run's figures in one line: "2 copied, 1 failed · 12 MB · 4.2 s". */
export function runFigures(run: {
  copied: number;
  upToDate: number;
  failed: number;
  cancelled: number;
  skipped?: number;
  bytes: number;
  durationMs: number | null;
}): string {
  return [counts(run), bytes(run.bytes), run.durationMs === null ? null : duration(run.durationMs)].filter(Boolean).join(' · ');
}
