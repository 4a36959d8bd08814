import type { CopyEngine } from '../copy/index.js';
import type { RegistryConfig } from '../config/index.js';
import type { RegistryClients } from '../registry/index.js';
import type { Lister } from '../select/index.js';
import type { OwnershipLedger } from '../store/index.js';
import type { LoadEventListener } from './events.js';
import type { RunCredentials } from './run-credentials.js';
import type { SourceGroups } from './source-groups.js';

/** What one load run is given: its registries, the shared engine, its listener, and how it runs (dry, stopping, pruning). */
export interface LoadRunOptions {
  registries: RegistryConfig[];
  /**
   * Shared with other runs and jobs: each copy reports its events to its own caller. Its `clients`
   * list tags and catalogs for the rules, so listings share the copies' connections and tokens.
   */
  engine: Pick<CopyEngine, 'copy' | 'plan'> & {
    readonly clients?: RegistryClients;
    finish?: CopyEngine['finish'];
    copyGroup?: CopyEngine['copyGroup'];
  };
  /** Lists a registry's sources for its rules (default: through the engine's clients, with the registry's source settings). */
  lister?: (registry: RegistryConfig) => Lister;
  emit: LoadEventListener;
  dryRun?: boolean;
  scriptTimeoutMs?: number;
  /** Aborts the copies under way. */
  signal?: AbortSignal;
  /** A stop has begun: images not started yet are not started (reported cancelled); running ones go on. */
  drain?: AbortSignal;
  /** Registries whose target is an OCI layout get a delta bundle of this previous bundle (`load --since`). */
  since?: string;
  /** What picture-book wrote from which rule: rules with `prune:` delete only from it (none: nothing is pruned). */
  ownership?: OwnershipLedger | undefined;
  /** The history's run this is (sync), for the deletion records. */
  runId?: number | undefined;
  /** Lift the prune guards for this run (`--prune-confirm`). */
  pruneConfirm?: boolean | undefined;
  /** `load --prune-plan`: list the rules and say what pruning would delete; copy nothing. */
  prunePlan?: boolean | undefined;
  /** The run's credentials (default: a new RunCredentials, which runs the config's credential helpers). */
  credentials?: RunCredentials;
  /**
   * Copies of one source image to several targets, across registry entries, read it once (see
   * source-groups.ts): every entry is listed before any image is copied, as image-syncer does.
   */
  groupSources?: boolean;
}

/** The options as a run holds them: its credentials asked once, its source groups when copies share reads. */
export type RunOptions = LoadRunOptions & { credentials: RunCredentials; groups: SourceGroups | undefined };

/** A dry run, or a prune plan (which copies nothing and deletes nothing). */
export function planOnly(options: LoadRunOptions): boolean {
  return options.dryRun === true || options.prunePlan === true;
}
