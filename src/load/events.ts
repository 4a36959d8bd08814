import type { CopyEvent } from '../copy/events.js';
import type { HostEvent } from '../transport/index.js';
import type { FinishedCounts } from './run-counts.js';

/**
 * Events of a load or sync run, around the copy engine's own. `registry` is the configured
 * target `hostname`. Consumers: the live display, plain and JSON logs, the server.
 */
export type RunEvent =
  | { type: 'run-started'; registries: string[]; dryRun: boolean; time: number }
  | { type: 'registry-started'; registry: string; time: number }
  /** The syncer script (or `images:` list) produced this many images to mirror. */
  | { type: 'registry-listed'; registry: string; images: number; time: number }
  /**
   * The script's output cannot be used: nothing of this registry is synced. `message` says what
   * happened (`syncer script "x" (...) exited with code 3`), `stderrTail` what the script said last;
   * scriptFailureSummary() joins them into one line.
   */
  | { type: 'registry-script-failed'; registry: string; message: string; stderrTail: string[]; time: number }
  | { type: 'registry-line-invalid'; registry: string; line: number; text: string; message: string; time: number }
  /** Dry run only: what would happen to one image. */
  | {
      type: 'image-planned';
      registry: string;
      source: string;
      target: string;
      action: 'copy' | 'up-to-date' | 'error';
      message?: string;
      time: number;
    }
  | ({ type: 'registry-finished'; registry: string; time: number } & FinishedCounts)
  | ({ type: 'run-finished'; time: number } & FinishedCounts)
  | { type: 'warning'; message: string; time: number }
  /**
   * The user asked the load to stop (`signal`): first no further image starts and those copying
   * finish (`abortNow` false); asked again, the copies under way are aborted (`abortNow` true).
   */
  | { type: 'run-stopping'; signal: string; abortNow: boolean; time: number };

/** Copy events carry the configured registry they belong to once they pass through a run. */
export type RegistryCopyEvent = CopyEvent & { registry: string };

/** What happens to a registry host for every copy at once (its quota, pauses): not filed under a configured registry. */
export type { HostEvent };

export type LoadEvent = RunEvent | RegistryCopyEvent | HostEvent;

export type LoadEventListener = (event: LoadEvent) => void;
