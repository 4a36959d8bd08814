import { scriptFailureSummary } from '../../load/run-outcome.js';
import type { ServerEvent } from '../sync-service.js';
import { LiveRun, type LiveRunView } from './live-run.js';

type EventOf<T extends ServerEvent['type']> = Extract<ServerEvent, { type: T }>;
type Handlers = { [T in ServerEvent['type']]?: (run: LiveRun, event: EventOf<T>) => void };

const unchanged = { transferred: 0, done: true, streamed: false };

/**
 * What each event of a registry does to its running run. A new phase, or a new source of events
 * (selection rules listing, a queue of workers), is an entry here: events name their registry, and
 * the phase order is LIVE_PHASES.
 */
const HANDLERS: Handlers = {
  'registry-listed': (run, e) => {
    run.listed = e.images;
    run.phase = 'checking';
  },
  'registry-script-failed': (run, e) => void (run.error = scriptFailureSummary(e)),
  'image-started': (run, e) => run.startImage(e.source, e.target, e.time),
  'blob-skipped': (run, e) => run.blob(e.target, e.digest, { size: e.size, ...unchanged }, e.time),
  'blob-mounted': (run, e) => run.blob(e.target, e.digest, { size: e.size, ...unchanged }, e.time),
  // Also a restart after a broken stream: what was sent before is sent again.
  'blob-started': (run, e) => run.blob(e.target, e.digest, { size: e.size, transferred: 0, done: false, streamed: true }, e.time),
  'blob-progress': (run, e) =>
    run.blob(e.target, e.digest, { size: e.size, transferred: e.transferred, done: false, streamed: true }, e.time),
  'blob-done': (run, e) => run.blob(e.target, e.digest, { size: e.size, transferred: e.size, done: true, streamed: true }, e.time),
  'image-done': (run, e) => run.endImage(e),
  'image-skipped': (run, e) => run.endImage(e),
  'image-failed': (run, e) => {
    run.endImage(e);
    run.fail({ source: e.source, target: e.target, ...e.error });
  },
  'image-cancelled': (run, e) => run.endImage(e),
  retry: (run) => {
    run.retries++;
  },
};

/**
 * Events that move an image of the run on to a phase. The engine announces an image (image-started)
 * once its check is done and its transfer begins: until then the run is checking.
 */
const IMAGE_PHASES: Partial<Record<ServerEvent['type'], LiveRunView['phase']>> = {
  'image-started': 'copying',
  'blob-skipped': 'copying',
  'blob-mounted': 'copying',
  'blob-started': 'copying',
  'blob-progress': 'copying',
  'blob-done': 'copying',
  'manifest-written': 'copying',
};

/**
 * The runs going on (and each registry's last one) as the dashboard shows them live, fed with the
 * sync server's events. Pure: times come from the events and from `view(now)`.
 */
export class LiveRuns {
  #runs = new Map<string, LiveRun>();

  apply(event: ServerEvent): void {
    switch (event.type) {
      case 'sync-run-started':
        this.#runs.set(event.registry, new LiveRun(event.registry, event.runId ?? null, event.trigger, event.time));
        return;
      case 'sync-run-finished':
        this.#runs.get(event.registry)?.finish(event.result, { ...event, ok: event.result === 'succeeded' }, event.time);
        return;
      case 'sync-removed':
        this.#runs.delete(event.registry);
        return;
    }
    const registry = 'registry' in event ? event.registry : undefined;
    const run = registry === undefined ? undefined : this.#runs.get(registry);
    if (!run || run.ended) return;
    (HANDLERS[event.type] as ((run: LiveRun, event: ServerEvent) => void) | undefined)?.(run, event);
    const phase = IMAGE_PHASES[event.type];
    if (phase && 'target' in event) run.advanceImage(event.target, phase);
  }

  /** A registry's run going on, or its last one since the server started. */
  view(registry: string, now: number): LiveRunView | undefined {
    return this.#runs.get(registry)?.view(now);
  }

  views(now: number): LiveRunView[] {
    return [...this.#runs.values()].map((run) => run.view(now));
  }

  /** A run is going on somewhere (its rate changes with time, not only with events). */
  get active(): boolean {
    return [...this.#runs.values()].some((run) => !run.ended);
  }
}
