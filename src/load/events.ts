import type { CopyEvent } from '../copy/events.js';
import type { PruneEvent } from '../prune/events.js';
import type { SelectionEvent, SelectionProblem } from '../select/index.js';
import type { HostEvent } from '../transport/index.js';
import type { FinishedCounts } from './run-counts.js';

/**
 * Listing progress of a selection rule (select's SelectionEvent), filed under the target
 * `registry` like every run event; `source` is the registry being listed.
 */
export type ListingEvent = SelectionEvent extends infer E
  ? E extends { registry: string }
    ? Omit<E, 'registry'> & { registry: string; source: string; time: number }
    : never
  : never;

/** How many a filter dropped, by filter name (`exclude: 3`), in filter order. */
export type DropCounts = Partial<Record<'include' | 'exclude' | 'semver' | 'latest', number>>;

/**
 * What one rule that lists (a repository, namespace or registry rule) selected, and why not
 * more: what a dry run shows per rule. `dropped*` name each repository and tag a filter left out.
 */
export interface RuleSelected {
  type: 'rule-selected';
  registry: string;
  /** The rule's label: `mirrors[0]`, `images[2]`, `syncer script line 4`. */
  rule: string;
  kind: 'repository' | 'namespace' | 'registry';
  /** The rule's source as written canonically: `host/team/`, `host/repo`. */
  source: string;
  repositories: { kept: number; dropped: DropCounts };
  tags: { listed: number; kept: number; dropped: DropCounts };
  droppedRepositories: Array<{ repository: string; filter: 'include' | 'exclude'; reason: string }>;
  droppedTags: Array<{ repository: string; tag: string; filter: 'include' | 'exclude' | 'semver' | 'latest'; reason: string }>;
  time: number;
}

/**
 * Events of a load or sync run, around the copy engine's own. `registry` is the configured
 * target `hostname`. Consumers: the live display, plain and JSON logs, the server.
 */
export type RunEvent =
  | { type: 'run-started'; registries: string[]; dryRun: boolean; time: number }
  | { type: 'registry-started'; registry: string; time: number }
  /** The syncer script, `images:` and `mirrors:` selected this many images to mirror (each once). */
  | { type: 'registry-listed'; registry: string; images: number; time: number }
  | ListingEvent
  | RuleSelected
  /**
   * A rule could not be listed (catalog not offered, repository missing), selected nothing, or two
   * sources want one target tag. An `error` fails the registry's run (the rest is still copied); a
   * `warning` (a repository gone since the catalog, an empty selection not `required`) does not.
   */
  | ({ type: 'selection-problem'; registry: string; time: number } & Pick<SelectionProblem, 'code' | 'severity' | 'rule' | 'message'> & {
        source: string;
        repository?: string | undefined;
      })
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
      /** `skip`: a platform filter leaves nothing of it (`note` says why), as the copy would skip it. */
      action: 'copy' | 'up-to-date' | 'skip' | 'error';
      message?: string;
      note?: string;
      /** Signatures and attestations that would be copied, by artifact type (absent: none, or referrers off). */
      referrers?: Record<string, number>;
      time: number;
    }
  /**
   * `retries`: after every image was tried once, these failed ones are tried again (pass `pass` of
   * `passes`), as image-syncer does; their first failure is not final.
   */
  /** What pruning did or would do with one tag a rule owns and no longer selects. */
  | PruneEvent
  | {
      type: 'image-retry-pass';
      registry: string;
      pass: number;
      passes: number;
      images: Array<{ source: string; target: string }>;
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
