import type { LoadEvent } from '../../load/events.js';
import { RunCounter, type FinishedCounts } from '../../load/run-counts.js';
import type { RunResult, RunTrigger } from '../../store/index.js';

/** The phases a run goes through, in order. A run shows the furthest one under way; `done` once it ended. */
export const LIVE_PHASES = ['listing', 'checking', 'copying', 'done'] as const;
export type LivePhase = (typeof LIVE_PHASES)[number];

const rank = (phase: LivePhase): number => LIVE_PHASES.indexOf(phase);

/** The rate is the bytes moved over about this long. */
const RATE_WINDOW_MS = 5000;
/** Rate samples closer than this are merged. */
const SAMPLE_STEP_MS = 250;
/** How many of the images in flight and of the failures a view lists (the counts cover all). */
export const SHOWN_IMAGES = 10;
export const SHOWN_FAILURES = 5;

export interface LiveImageView {
  source: string;
  target: string;
  phase: LivePhase;
  startedAt: number;
  /** Bytes of its blobs known so far (the total grows as its manifests are read). */
  bytesTotal: number;
  /** Of those, bytes already at the target: streamed, mounted or found there. */
  bytesDone: number;
}

export interface LiveFailure {
  source: string;
  target: string;
  code: string;
  message: string;
}

/** A run as it goes: plain data, times in ms. */
export interface LiveRunView {
  registry: string;
  runId: number | null;
  trigger: RunTrigger;
  phase: LivePhase;
  /** How it ended; null while it goes on. */
  result: Exclude<RunResult, 'running' | 'interrupted'> | null;
  startedAt: number;
  endedAt: number | null;
  /** Images to go through; null until the image list is read. */
  listed: number | null;
  done: number;
  copied: number;
  upToDate: number;
  failed: number;
  cancelled: number;
  /** Left out by a platform filter that skips (not failures). */
  skipped: number;
  bytes: number;
  /** Over the last seconds while it runs; over the whole run once it ended. */
  bytesPerSecond: number;
  retries: number;
  /** Why the image list could not be read (the syncer script), when it could not. */
  error: string | null;
  inFlight: number;
  /** The first images in flight, oldest first. */
  images: LiveImageView[];
  /** The latest failures, newest last. */
  failures: LiveFailure[];
}

interface BlobState {
  size: number;
  transferred: number;
  done: boolean;
  /** Sent by this run (not mounted or found): what counts for the rate. */
  streamed: boolean;
}

interface ImageState {
  source: string;
  target: string;
  phase: LivePhase;
  startedAt: number;
  blobs: Map<string, BlobState>;
}

/** The events that end an image of the run. */
export type ImageEnd = Extract<LoadEvent, { type: 'image-done' | 'image-skipped' | 'image-failed' | 'image-cancelled' }>;

/** One registry's current (or last) run, fed by the live model. */
export class LiveRun {
  readonly registry: string;
  readonly runId: number | null;
  readonly trigger: RunTrigger;
  readonly startedAt: number;
  phase: LivePhase = 'listing';
  result: LiveRunView['result'] = null;
  endedAt: number | null = null;
  listed: number | null = null;
  /** Images ended and the bytes they moved, counted where every run's images are. */
  readonly counts = new RunCounter();
  retries = 0;
  error: string | null = null;
  readonly failures: LiveFailure[] = [];
  #images = new Map<string, ImageState>();
  /** Bytes ever streamed, restarts included: the rate's basis (never goes down). */
  #moved = 0;
  #samples: Array<{ time: number; moved: number }>;

  constructor(registry: string, runId: number | null, trigger: RunTrigger, startedAt: number) {
    this.registry = registry;
    this.runId = runId;
    this.trigger = trigger;
    this.startedAt = startedAt;
    this.#samples = [{ time: startedAt, moved: 0 }];
  }

  get ended(): boolean {
    return this.phase === 'done';
  }

  startImage(source: string, target: string, time: number): void {
    this.#images.set(target, { source, target, phase: 'listing', startedAt: time, blobs: new Map() });
  }

  /** An image moves on to a later phase (never back); a new one gets its phase from its first event. */
  advanceImage(target: string, phase: LivePhase): void {
    const image = this.#images.get(target);
    if (image && rank(phase) > rank(image.phase)) image.phase = phase;
  }

  endImage(event: ImageEnd): void {
    this.counts.addEvent(event);
    this.#images.delete(event.target);
  }

  fail(failure: LiveFailure): void {
    this.failures.push(failure);
    if (this.failures.length > SHOWN_FAILURES) this.failures.shift();
  }

  /** A blob of an image in flight changed; late events of an image that ended are dropped. */
  blob(target: string, digest: string, next: BlobState, time: number): void {
    const blobs = this.#images.get(target)?.blobs;
    if (!blobs) return;
    const before = blobs.get(digest);
    blobs.set(digest, next);
    // A restarted blob starts again from 0: what it sends again is moved again.
    const gained = next.streamed
      ? next.transferred - (before?.streamed && next.transferred >= before.transferred ? before.transferred : 0)
      : 0;
    if (gained <= 0) return;
    this.#moved += gained;
    const last = this.#samples.at(-1);
    if (last && time - last.time < SAMPLE_STEP_MS) Object.assign(last, { time, moved: this.#moved });
    else this.#samples.push({ time, moved: this.#moved });
    // Keep one sample older than the window as the rate's baseline.
    while (this.#samples.length > 2 && (this.#samples[1]?.time ?? time) <= time - RATE_WINDOW_MS) this.#samples.shift();
  }

  /** The run's own counts win: they also cover images whose events never came here. */
  finish(result: NonNullable<LiveRunView['result']>, counts: FinishedCounts, time: number): void {
    this.phase = 'done';
    this.result = result;
    this.endedAt = time;
    this.counts.settle(counts);
    this.#images.clear();
  }

  view(now: number): LiveRunView {
    const images = [...this.#images.values()];
    const streaming = images.reduce(
      (n, image) => n + [...image.blobs.values()].reduce((m, b) => m + (b.streamed ? b.transferred : 0), 0),
      0,
    );
    const bytes = this.counts.bytes + streaming;
    const phase = this.ended ? 'done' : (LIVE_PHASES[Math.max(rank(this.phase), ...images.map((i) => rank(i.phase)))] ?? this.phase);
    const { copied, upToDate, failed, cancelled, skipped } = this.counts;
    return {
      registry: this.registry,
      runId: this.runId,
      trigger: this.trigger,
      phase,
      result: this.result,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      listed: this.listed,
      done: copied + upToDate + failed + cancelled + skipped,
      copied,
      upToDate,
      failed,
      cancelled,
      skipped,
      bytes,
      bytesPerSecond: this.endedAt === null ? this.#rate(now) : bytes / Math.max((this.endedAt - this.startedAt) / 1000, 0.001),
      retries: this.retries,
      error: this.error,
      inFlight: images.length,
      images: images.slice(0, SHOWN_IMAGES).map(imageView),
      failures: [...this.failures],
    };
  }

  #rate(now: number): number {
    const base = this.#samples.findLast((s) => s.time <= now - RATE_WINDOW_MS) ?? this.#samples[0];
    if (!base || now <= base.time) return 0;
    return ((this.#moved - base.moved) * 1000) / (now - base.time);
  }
}

function imageView(image: ImageState): LiveImageView {
  let bytesTotal = 0;
  let bytesDone = 0;
  for (const blob of image.blobs.values()) {
    bytesTotal += blob.size;
    bytesDone += blob.done ? blob.size : blob.transferred;
  }
  return { source: image.source, target: image.target, phase: image.phase, startedAt: image.startedAt, bytesTotal, bytesDone };
}
