import type { LoadEvent } from '../load/events.js';
import { describeEvent, registryOf } from './event-lines.js';
import { LiveModel } from './live-model.js';
import { registryLine, renderLive } from './live-render.js';
import type { Reporter, ReporterOptions, ReporterOutput } from './reporter.js';
import { RunTally } from './run-tally.js';
import { summaryLines } from './summary.js';
import { CLEAR_DOWN, HIDE_CURSOR, SHOW_CURSOR, cursorUpLines, escapeControl } from './terminal.js';

/** Events worth a permanent line above the live block: they would be lost when it redraws. */
const PERMANENT = new Set<LoadEvent['type']>([
  'image-failed',
  // Every image from that host waits: say why above the block, and when it ends.
  'host-paused',
  'host-resumed',
  'registry-script-failed',
  'registry-line-invalid',
  'rule-selected',
  'selection-problem',
  'image-planned',
  // Every deletion (or planned one) and every owned tag kept: what pruning did must stay readable.
  'prune',
  'warning',
  // A signature that did not follow its image: the policy checking it will refuse the image.
  'referrers-not-listed',
  'referrer-failed',
  'run-stopping',
]);

/**
 * The live TTY view: a block redrawn in place every `refreshMs` (erase the lines drawn last, draw
 * anew), with problems printed above it as they happen. When a run finishes, or at close(), the
 * block is replaced by each registry's final line and the summary.
 */
export class LiveReporter implements Reporter {
  #out: ReporterOutput;
  #now: () => number;
  #model = new LiveModel();
  #tally = new RunTally();
  #timer: NodeJS.Timeout | undefined;
  /** Lines of the live block currently on screen, to move back over on redraw. */
  #drawn = 0;
  #frame = 0;
  #live = false;
  #closed = false;
  #verbose: boolean;
  #finalScreen: boolean;
  /** A process exiting mid-run must not leave the user's terminal without a cursor. */
  #restoreCursor = (): void => {
    this.#out.write(SHOW_CURSOR);
  };

  constructor(out: ReporterOutput, options: ReporterOptions = {}) {
    this.#out = out;
    this.#now = options.now ?? Date.now;
    this.#verbose = options.verbose === true;
    this.#finalScreen = options.finalScreen !== false;
    const refreshMs = options.refreshMs ?? 100;
    if (refreshMs > 0) {
      this.#timer = setInterval(() => this.render(), refreshMs);
      // The display never keeps a finished process alive.
      this.#timer.unref();
    }
  }

  handle(event: LoadEvent): void {
    if (this.#closed) return;
    this.#model.apply(event);
    this.#tally.handle(event);
    // Between the runs of a sync, a warning is just a line: no block to show yet.
    const starting = !this.#live && event.type !== 'warning' && event.type !== 'retry' && event.type !== 'run-stopping';
    if (starting) this.#start();
    if (event.type === 'run-finished') this.#finish();
    else if (PERMANENT.has(event.type) || (this.#verbose && event.type !== 'blob-progress')) this.#permanent(event);
    // Show the block at once rather than a refresh later.
    else if (starting) this.render();
  }

  /** Redraws the live block (the timer calls this; tests call it directly). */
  render(): void {
    if (!this.#live) return;
    this.#write([]);
  }

  close(): void {
    if (this.#closed) return;
    if (this.#live) this.#finish();
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  #start(): void {
    this.#live = true;
    this.#out.write(HIDE_CURSOR);
    process.once('exit', this.#restoreCursor);
  }

  #permanent(event: LoadEvent): void {
    const lines = describeEvent(event, { verbose: this.#verbose }) ?? [];
    if (lines.length === 0) return;
    const registry = registryOf(event);
    const prefix = registry ? `[${registry}] ` : '';
    this.#write(lines.map((line, i) => (i === 0 ? prefix + line : line)));
  }

  /** Replaces the live block with the final screen of the run, then stops being live. */
  #finish(): void {
    const view = this.#model.view(this.#now());
    const final = this.#finalScreen
      ? [...view.registries.map((r) => registryLine(r, '-')), ...summaryLines(this.#tally.stats(this.#now()))]
      : [];
    this.#live = false;
    this.#write(final);
    // The next run of a sync starts from a clean slate.
    this.#model = new LiveModel();
    this.#tally = new RunTally();
    this.#out.write(SHOW_CURSOR);
    process.removeListener('exit', this.#restoreCursor);
  }

  /**
   * Erases the block, prints `above` for good, then the block anew while live.
   * One write per frame, so the terminal never shows a half-drawn block.
   */
  #write(above: string[]): void {
    const width = this.#width();
    let text = cursorUpLines(this.#drawn) + CLEAR_DOWN;
    // Lines above the block are never moved over again, so they may wrap: keep them whole.
    for (const line of above) text += `${escapeControl(line)}\n`;
    this.#drawn = 0;
    if (this.#live) {
      const rows = this.#out.rows && this.#out.rows > 1 ? this.#out.rows - 1 : Infinity;
      const block = renderLive(this.#model.view(this.#now()), width, this.#frame++, rows);
      text += block.map((line) => `${line}\n`).join('');
      this.#drawn = block.length;
    }
    this.#out.write(text);
  }

  /** One column short of the terminal: a line that fills it exactly wraps on some terminals. */
  #width(): number {
    return Math.max(20, (this.#out.columns || 100) - 1);
  }
}
