import type { RegistryConfig } from '../config/index.js';
import { errorMessage } from '../errors/index.js';
import { pruneRegistry, type PruneProblem } from '../prune/index.js';
import { isLayoutPlace } from '../reference/index.js';
import type { RegistryClients } from '../registry/index.js';
import type { PlannedImage, RuleExpansion } from '../select/index.js';
import type { OwnershipLedger } from '../store/index.js';
import type { LoadEventListener } from './events.js';
import { resolvedTargetEndpoint, type ResolveCredentials } from './registry-endpoints.js';
import type { ImageOutcome } from './run-outcome.js';

export interface PruneStepInput {
  registry: RegistryConfig;
  expansions: readonly RuleExpansion[];
  images: readonly PlannedImage[];
  outcomes: readonly ImageOutcome[];
  /** Syncer-script lines that could not be read: the list was not read whole, so it prunes nothing. */
  invalidLines?: number | undefined;
  ledger: OwnershipLedger | undefined;
  clients: RegistryClients | undefined;
  /** The run's credentials (its credential helpers are asked only when a repository is pruned). */
  resolve: ResolveCredentials;
  dryRun: boolean;
  confirm: boolean;
  runId: number | undefined;
  /** The run was stopped: nothing is pruned (its picture of the target is not the whole one). */
  stopped: boolean;
  signal: AbortSignal | undefined;
  emit: LoadEventListener;
}

/**
 * A registry run's last step: its rules with `prune:` delete what left their selection. Skipped,
 * with a warning saying why, for a stopped run, a layout target, or a run with no history to
 * know what picture-book owns. Returns the problems (guard stops, failed deletions) the run keeps.
 */
export async function pruneStep(input: PruneStepInput): Promise<{ problems: PruneProblem[]; deleted: number }> {
  const none: { problems: PruneProblem[]; deleted: number } = { problems: [], deleted: 0 };
  const name = input.registry.hostname;
  const pruning = input.expansions.filter((e) => e.rule.prune !== undefined).map((e) => e.rule.label);
  if (input.registry.pruneImages) pruning.push('pruneImages');
  const warn = (why: string): void =>
    input.emit({ type: 'warning', message: `${name}: nothing pruned (${pruning.join(', ')}): ${why}`, time: Date.now() });
  if (pruning.length === 0) {
    // Still record what listing rules wrote, so turning prune on later knows what is ours.
    if (input.ledger && !input.dryRun && !input.stopped && !isLayoutPlace(name)) await record(input, input.ledger);
    return none;
  }
  const { ledger, clients } = input;
  const skipped = input.stopped
    ? 'the run was stopped before its end'
    : isLayoutPlace(name)
      ? 'prune applies to registries, not to OCI layouts'
      : !ledger || !clients
        ? 'this run keeps no history of what picture-book wrote'
        : undefined;
  if (skipped !== undefined || !ledger || !clients) {
    warn(skipped ?? '');
    return none;
  }
  try {
    return await pruneRegistry({
      place: { hostname: name, repository: input.registry.repository },
      expansions: input.expansions,
      images: input.images,
      outcomes: input.outcomes,
      ledger,
      target: async (repository) =>
        clients.repository(name, repository, 'push', await resolvedTargetEndpoint(input.registry, repository, input.resolve), {
          signal: input.signal,
        }),
      dryRun: input.dryRun,
      listPolicy: input.registry.pruneImages,
      listIncomplete: unreadLines(input.invalidLines ?? 0),
      confirm: input.confirm,
      runId: input.runId,
      emit: input.emit,
      now: Date.now,
    });
  } catch (error) {
    const message = `${name}: pruning failed: ${errorMessage(error)}`;
    return { problems: [{ code: 'PRUNE_FAILED', severity: 'error', rule: pruning.join(', '), message }], deleted: 0 };
  }
}

/** Why the list is not whole: script lines that could not be read. */
function unreadLines(count: number): string | undefined {
  return count === 0 ? undefined : `${count} line${count === 1 ? '' : 's'} of the syncer script could not be read`;
}

/** Only the ownership records: no rule prunes this run. */
async function record(input: PruneStepInput, ledger: OwnershipLedger): Promise<void> {
  try {
    await pruneRegistry({
      place: { hostname: input.registry.hostname, repository: input.registry.repository },
      expansions: input.expansions,
      images: input.images,
      outcomes: input.outcomes,
      ledger,
      target: () => Promise.reject(new Error('no rule prunes')),
      dryRun: false,
      confirm: false,
      runId: input.runId,
      emit: input.emit,
      now: Date.now,
    });
  } catch (error) {
    input.emit({
      type: 'warning',
      message: `${input.registry.hostname}: recording what was written failed: ${errorMessage(error)}`,
      time: Date.now(),
    });
  }
}
