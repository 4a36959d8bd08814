import type { CopyTask } from '../copy/index.js';
import type { RegistryConfig } from '../config/index.js';
import { Limiter, TagListings } from '../copy/index.js';
import { CancelledError, errorMessage, PictureBookError } from '../errors/index.js';
import { isLayoutPlace } from '../reference/index.js';
import {
  layoutAwareLister,
  registryLister,
  rememberingLister,
  type Lister,
  type PlannedImage,
  type RuleExpansion,
} from '../select/index.js';
import { copyOrPlan } from './copy-or-plan.js';
import { planOnly, type LoadRunOptions, type RunOptions } from './load-run-options.js';
import { pruneStep } from './prune-step.js';
import { registryRules } from './registry-rules.js';
import { selectRegistryImages } from './registry-selection.js';
import { resolvedSourceEndpoint } from './registry-endpoints.js';
import { registryTasks, withEndpoints } from './registry-tasks.js';
import { retrySummary, runRetryPasses } from './retry-passes.js';
import { referrersFound, RunCounter } from './run-counts.js';
import { emptyOutcome, scriptFailureSummary, selectionErrorCount, type RegistryOutcome } from './run-outcome.js';

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

/**
 * One registry entry of a load run: its rules listed, its images selected, copied (or planned) and
 * retried, its layout finished and its prune step run; every step reported as a load event under
 * its name, and its outcome counted.
 */
export async function loadRegistry(registry: RegistryConfig, options: RunOptions, listings: Limiter): Promise<RegistryOutcome> {
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
  const tasks = registryTasks(options.prunePlan ? [] : images, registry, options.since);
  options.groups?.listed(tasks.values());
  const ready = withEndpoints(registry, options.credentials.resolve);
  const attempt = (task: CopyTask) => limiter.run(() => copyOrPlan(task, ready, options, name, tagListings));
  // A first try may share its source read with other targets; a retry goes on its own.
  const firstTry = (task: CopyTask) => limiter.run(() => copyOrPlan(task, ready, options, name, tagListings, options.groups));
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
