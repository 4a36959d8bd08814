import type { CopyEngine, CopyEventListener, CopyTask } from '../copy/index.js';
import type { RegistryConfig } from '../config/index.js';
import { Limiter, TagListings } from '../copy/index.js';
import { CancelledError, errorInfo, errorMessage, PictureBookError } from '../errors/index.js';
import { isLayoutPlace, parseReference } from '../reference/index.js';
import type { RegistryClients } from '../registry/index.js';
import {
  layoutAwareLister,
  registryLister,
  rememberingLister,
  type Lister,
  type PlannedImage,
  type RuleExpansion,
} from '../select/index.js';
import type { OwnershipLedger } from '../store/index.js';
import { pruneStep } from './prune-step.js';
import type { LoadEventListener } from './events.js';
import { registryRules } from './registry-rules.js';
import { selectRegistryImages } from './registry-selection.js';
import { resolvedSourceEndpoint, resolvedTargetEndpoint } from './registry-endpoints.js';
import { RunCredentials } from './run-credentials.js';
import { SourceGroups } from './source-groups.js';
import { retrySummary, runRetryPasses, taskKey } from './retry-passes.js';
import { plannedStatus, referrersFound, RunCounter } from './run-counts.js';
import {
  emptyOutcome,
  scriptFailureSummary,
  selectionErrorCount,
  totalOutcome,
  type ImageOutcome,
  type RegistryOutcome,
  type RunOutcome,
} from './run-outcome.js';

/** Tag listings in flight at once across a run's registries (each a GET of a small JSON page). */
export const LISTING_CONCURRENCY = 8;

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

/**
 * One load of several registries, all at once through one shared engine: each registry's image
 * list is produced, mapped to target references and copied (or planned, on a dry run). A failing
 * script or image is reported and the rest carries on. Each copy's events come back through its
 * own listener and are filed under the registry that asked for it.
 */
export async function runLoad(options: LoadRunOptions): Promise<RunOutcome> {
  const startedAt = Date.now();
  const dryRun = planOnly(options);
  const { emit } = options;
  emit({ type: 'run-started', registries: options.registries.map((r) => r.hostname), dryRun, time: Date.now() });
  const listings = new Limiter(LISTING_CONCURRENCY);
  // Credential helpers are asked once per run (each sync run asks again: their tokens may be short-lived).
  const copyGroup = options.engine.copyGroup?.bind(options.engine);
  const groups = options.groupSources && !dryRun && copyGroup ? new SourceGroups(options.registries.length, copyGroup) : undefined;
  const run = { ...options, credentials: options.credentials ?? new RunCredentials(), groups };
  const outcomes = await Promise.all(options.registries.map((registry) => loadRegistry(registry, run, listings)));
  const total = totalOutcome(outcomes, startedAt, dryRun);
  const { copied, upToDate, failed, cancelled, skipped, scriptFailures, invalidLines, selectionErrors, bytes, durationMs, ok } = total;
  emit({
    type: 'run-finished',
    copied,
    upToDate,
    failed,
    cancelled,
    ...(skipped ? { skipped } : {}),
    scriptFailures,
    invalidLines,
    selectionErrors,
    bytes,
    durationMs,
    ok,
    ...referrersFound(total.referrers),
    time: Date.now(),
  });
  return total;
}

type RunOptions = LoadRunOptions & { credentials: RunCredentials; groups: SourceGroups | undefined };

/** The lister of `registry`'s rules: through the engine's connections, with the registry's source settings; a layout source is read from its index.json. */
function listerFor(registry: RegistryConfig, options: RunOptions): Lister {
  if (options.lister) return layoutAwareLister(options.lister(registry));
  const clients = options.engine.clients;
  if (!clients) {
    const missing = (): never => {
      throw new PictureBookError('INTERNAL', 'this load has no registry connections to list tags or catalogs with');
    };
    return layoutAwareLister({ repositories: missing, tags: missing });
  }
  const resolve = options.credentials.resolve;
  return layoutAwareLister(
    registryLister(clients, { endpoint: (host, repository) => resolvedSourceEndpoint(registry, host, repository, resolve) }),
  );
}

async function loadRegistry(registry: RegistryConfig, options: RunOptions, listings: Limiter): Promise<RegistryOutcome> {
  const { emit } = options;
  const name = registry.hostname;
  const startedAt = Date.now();
  emit({ type: 'registry-started', registry: name, time: startedAt });
  const outcome = emptyOutcome(name, startedAt);
  const finish = (): RegistryOutcome => {
    outcome.durationMs = Date.now() - startedAt;
    const selectionErrors = selectionErrorCount(outcome);
    outcome.ok = outcome.failed === 0 && !outcome.scriptError && outcome.invalidLines.length === 0 && selectionErrors === 0;
    const { copied, upToDate, failed, cancelled, skipped, bytes, durationMs, ok } = outcome;
    const counts = { scriptFailures: outcome.scriptError ? 1 : 0, invalidLines: outcome.invalidLines.length, selectionErrors };
    emit({
      type: 'registry-finished',
      registry: name,
      copied,
      upToDate,
      failed,
      cancelled,
      ...(skipped ? { skipped } : {}),
      ...counts,
      bytes,
      durationMs,
      ok,
      ...referrersFound(outcome.referrers),
      time: Date.now(),
    });
    return outcome;
  };

  const listed = await registryRules(registry, options.scriptTimeoutMs ?? registry.syncerScriptTimeoutSeconds * 1000, options.signal);
  if (listed.scriptError) {
    // The outcome (run history, API, server log) keeps one line; the event keeps the stderr apart.
    outcome.scriptError = scriptFailureSummary(listed.scriptError);
    emit({
      type: 'registry-script-failed',
      registry: name,
      message: listed.scriptError.message,
      stderrTail: listed.scriptError.stderrTail,
      time: Date.now(),
    });
    options.groups?.listed([]);
    return finish();
  }
  for (const bad of listed.invalidLines) emit({ type: 'registry-line-invalid', registry: name, ...bad, time: Date.now() });
  outcome.invalidLines = listed.invalidLines;

  // Every run lists anew: tags come and go between runs. A stop that only drains lets the listing
  // finish (the images are then reported not started); an abort ends it. What the rules listed is
  // where the copies look for cosign tags: one listing per repository and run (kept per registry
  // entry, whose source credentials listed it).
  const tagListings = new TagListings();
  let images: PlannedImage[];
  let expansions: RuleExpansion[];
  try {
    const plan = await selectRegistryImages({
      registry,
      rules: listed.rules,
      lister: rememberingLister(listerFor(registry, options), tagListings),
      limiter: listings,
      signal: options.signal,
      emit,
    });
    images = plan.images;
    expansions = plan.expansions;
    outcome.selectionProblems = plan.problems.map(({ code, severity, rule, message }) => ({ code, severity, rule, message }));
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    emit({ type: 'warning', message: `${name}: listing stopped: the run was cancelled before its images were known`, time: Date.now() });
    options.groups?.listed([]);
    return finish();
  }
  emit({ type: 'registry-listed', registry: name, images: images.length, time: Date.now() });

  const limiter = new Limiter(registry.concurrency ?? Number.MAX_SAFE_INTEGER);
  const tasks = new Map<string, CopyTask>();
  for (const image of options.prunePlan ? [] : images) {
    tasks.set(taskKey(image), {
      source: image.source,
      target: image.target,
      ...(image.platforms ? { platforms: image.platforms } : {}),
      ...(image.platforms && image.missingPlatforms ? { missingPlatforms: image.missingPlatforms } : {}),
      ...(image.force ? { force: true } : {}),
      ...(options.since !== undefined && isLayoutPlace(registry.hostname) ? { since: options.since } : {}),
      referrers: image.referrers ?? registry.referrers !== false,
      cosignTags: image.cosignTags ?? registry.cosignTags !== false,
      ...((image.artifactTypes ?? registry.artifactTypes) ? { artifactTypes: image.artifactTypes ?? registry.artifactTypes } : {}),
    });
  }
  options.groups?.listed(tasks.values());
  // Endpoints are built when an image's turn comes: a credential helper is asked only then, and
  // one that fails fails the images that need it, not the run.
  const withEndpoints = async (task: CopyTask): Promise<CopyTask> => {
    const source = parseReference(task.source);
    const target = parseReference(task.target);
    const resolve = options.credentials.resolve;
    const [sourceEndpoint, targetEndpoint] = await Promise.all([
      resolvedSourceEndpoint(registry, source.registry, source.repository, resolve),
      resolvedTargetEndpoint(registry, target.repository, resolve),
    ]);
    return { ...task, sourceEndpoint, targetEndpoint };
  };
  const attempt = (task: CopyTask) => limiter.run(() => copyOrPlan(task, withEndpoints, options, name, tagListings));
  // A first try may share its source read with other targets; a retry goes on its own.
  const firstTry = (task: CopyTask) => limiter.run(() => copyOrPlan(task, withEndpoints, options, name, tagListings, options.groups));
  const firstTries = await Promise.all([...tasks.values()].map(firstTry));
  const passes = options.dryRun ? 0 : (registry.retries ?? 0);
  outcome.images = await runRetryPasses({
    registry: name,
    passes,
    images: firstTries,
    tasks,
    attempt,
    emit,
    stopped: () => options.signal?.aborted === true || options.drain?.aborted === true,
  });
  const retried = retrySummary(name, outcome.images, passes);
  if (retried) emit({ type: 'warning', message: retried, time: Date.now() });
  const counts = new RunCounter();
  for (const image of outcome.images) counts.add(image.status, image.bytes, image.referrers);
  Object.assign(outcome, counts.images());
  outcome.referrers = counts.referrers;
  // A layout that could not be completed (disk full) fails the registry's run, one failure more.
  if (!options.prunePlan && !(await finishLayout(registry, options))) outcome.failed++;
  const pruned = await pruneStep({
    registry,
    expansions,
    images,
    outcomes: outcome.images,
    invalidLines: outcome.invalidLines.length,
    ledger: options.ownership,
    clients: options.engine.clients,
    resolve: options.credentials.resolve,
    dryRun: planOnly(options),
    confirm: options.pruneConfirm === true,
    runId: options.runId,
    stopped: options.signal?.aborted === true || options.drain?.aborted === true,
    signal: options.signal,
    emit,
  });
  for (const problem of pruned.problems) {
    outcome.selectionProblems.push(problem);
    emit({ type: 'selection-problem', registry: name, ...problem, source: name, time: Date.now() });
  }
  outcome.pruned = pruned.deleted;
  return finish();
}

/** A dry run, or a prune plan (which copies nothing and deletes nothing). */
function planOnly(options: LoadRunOptions): boolean {
  return options.dryRun === true || options.prunePlan === true;
}

/**
 * A layout target's run ends here: an archive gets its index.json (a new one is renamed into
 * place, an existing one has the new part joined on), the bundle its inventory (each sync run seals
 * its own archive). Nothing for a registry.
 */
async function finishLayout(registry: RegistryConfig, options: LoadRunOptions): Promise<boolean> {
  if (!isLayoutPlace(registry.hostname) || !options.engine.finish) return true;
  try {
    await options.engine.finish(registry.hostname);
    return true;
  } catch (error) {
    options.emit({
      type: 'warning',
      message: `${registry.hostname}: the layout could not be completed: ${errorMessage(error)}`,
      time: Date.now(),
    });
    return false;
  }
}

async function copyOrPlan(
  unready: CopyTask,
  withEndpoints: (task: CopyTask) => Promise<CopyTask>,
  options: LoadRunOptions,
  registry: string,
  tagListings: TagListings,
  groups?: SourceGroups,
): Promise<ImageOutcome> {
  const base = { source: unready.source, target: unready.target };
  const onEvent: CopyEventListener = (event) => options.emit({ ...event, registry });
  if (options.signal?.aborted || options.drain?.aborted) {
    // Its turn came after the stop began: it is not started at all.
    groups?.withdraw(unready);
    options.emit({ type: 'image-cancelled', registry, ...base, started: false, time: Date.now() });
    return { ...base, status: 'cancelled', bytes: 0 };
  }
  let task: CopyTask;
  try {
    task = await withEndpoints(unready);
  } catch (error) {
    // A credential helper failed: this image fails as the engine fails one, before any request.
    groups?.withdraw(unready);
    const info = errorInfo(error);
    if (options.dryRun)
      options.emit({ type: 'image-planned', registry, ...base, action: 'error', message: info.message, time: Date.now() });
    else options.emit({ type: 'image-failed', registry, ...base, error: { code: info.code, message: info.message }, time: Date.now() });
    return { ...base, status: 'failed', bytes: 0, error: info };
  }
  if (options.dryRun) {
    try {
      const plan = await options.engine.plan(task, { onEvent, tagListings });
      const referrers = plan.referrers && Object.keys(plan.referrers).length > 0 ? { referrers: plan.referrers } : {};
      const note = plan.note ? { note: plan.note } : {};
      options.emit({ type: 'image-planned', registry, ...base, action: plan.action, ...note, ...referrers, time: Date.now() });
      return { ...base, status: plannedStatus(plan.action), digest: plan.digest, bytes: 0, ...note };
    } catch (error) {
      const info = errorInfo(error);
      options.emit({ type: 'image-planned', registry, ...base, action: 'error', message: info.message, time: Date.now() });
      return { ...base, status: 'failed', bytes: 0, error: info };
    }
  }
  try {
    const { signal, drain } = options;
    const run = { ...(signal ? { signal } : {}), ...(drain ? { drain } : {}), onEvent, tagListings };
    const result = await (groups ? groups.copy({ task, run }) : options.engine.copy(task, run));
    if (result.status === 'platform-skipped') return { ...base, status: 'skipped', digest: result.digest, bytes: 0, note: result.note };
    const status = result.status === 'skipped' ? 'up-to-date' : 'copied';
    return { ...base, status, digest: result.digest, bytes: result.bytes, ...(result.referrers ? { referrers: result.referrers } : {}) };
  } catch (error) {
    // The engine already emitted image-failed (or image-cancelled) with the reason.
    if (error instanceof CancelledError) return { ...base, status: 'cancelled', bytes: 0 };
    return { ...base, status: 'failed', bytes: 0, error: errorInfo(error) };
  }
}
