import { CopyEngine, TagListings, type CopyEventListener, type CopyTask } from '../copy/index.js';
import { createAllTagsView, type AllTagsView } from '../display/all-tags-view.js';
import { CancelledError, errorInfo, PictureBookError } from '../errors/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';
import type { LoadEvent } from '../load/events.js';
import { plannedStatus, referrersFound, RunCounter } from '../load/run-counts.js';
import type { ImageOutcome } from '../load/run-outcome.js';
import { parseReference, type Reference } from '../reference/index.js';
import { RegistryClients } from '../registry/index.js';
import { expandRule, registryLister, rememberingLister, type RuleExpansion } from '../select/index.js';
import { timeoutsFromSettings, type EndpointOptions } from '../transport/index.js';
import { side, type CopyFlags } from './copy-action.js';
import { endpointFromFlags } from './endpoint-flags.js';
import { tuneForOneShotRun } from './one-shot-runtime.js';
import { StopSignals } from './stop-signals.js';
import { allTagsRule } from './tag-filter-flags.js';
import { timeoutSettingsFromFlags } from './timeout-flags.js';
import { selectionNote } from './tag-selection-note.js';

/** `SRC` and `DST` of `--all-tags` name repositories: a tag or digest there is a usage error. */
function repositoryArgument(text: string, which: 'source' | 'target'): Reference {
  const reference = parseReference(text);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    const what = reference.digest !== undefined ? `digest ${reference.digest}` : `tag "${reference.tag ?? ''}"`;
    throw new PictureBookError(
      'USAGE',
      `--all-tags copies every tag of a repository into a repository: the ${which} "${text}" names a ${what}; write ${reference.name}`,
    );
  }
  return reference;
}

/** Events that carry a message (an error a registry may have filled with what it was sent). */
const MESSAGE_EVENTS = new Set<LoadEvent['type']>([
  'image-failed',
  'target-failed',
  'image-planned',
  'warning',
  'referrers-not-listed',
  'referrer-failed',
  'retry',
]);

interface AllTagsRun {
  engine: CopyEngine;
  images: ReadonlyArray<{ source: string; target: string }>;
  task: Pick<CopyTask, 'platforms' | 'force' | 'sourceEndpoint' | 'targetEndpoint' | 'referrers' | 'cosignTags' | 'artifactTypes'>;
  registry: string;
  dryRun: boolean;
  emit: (event: LoadEvent) => void;
  stop: StopSignals;
  /** The tags the selection listed: where the copies look for cosign tags (no listing per tag). */
  tagListings: TagListings;
}

/** One tag: copied (or planned, on a dry run), its events filed under the target registry. */
async function copyOne(image: { source: string; target: string }, run: AllTagsRun): Promise<ImageOutcome> {
  const { registry, emit, stop } = run;
  const task: CopyTask = { ...run.task, ...image };
  const onEvent: CopyEventListener = (event) => emit({ ...event, registry });
  if (stop.drain.signal.aborted) {
    // Its turn came after the stop began: it is not started at all.
    emit({ type: 'image-cancelled', registry, ...image, started: false, time: Date.now() });
    return { ...image, status: 'cancelled', bytes: 0 };
  }
  if (run.dryRun) {
    try {
      // HEADs and listings only, as `load --dry-run` (the repository's tags come from the selection's listing).
      const plan = await run.engine.plan(task, { onEvent, tagListings: run.tagListings });
      const referrers = plan.referrers && Object.keys(plan.referrers).length > 0 ? { referrers: plan.referrers } : {};
      const note = plan.note ? { note: plan.note } : {};
      emit({ type: 'image-planned', registry, ...image, action: plan.action, ...note, ...referrers, time: Date.now() });
      return { ...image, status: plannedStatus(plan.action), bytes: 0, ...note };
    } catch (error) {
      const info = errorInfo(error);
      emit({ type: 'image-planned', registry, ...image, action: 'error', message: info.message, time: Date.now() });
      return { ...image, status: 'failed', bytes: 0, error: info };
    }
  }
  try {
    const result = await run.engine.copy(task, {
      signal: stop.abort.signal,
      drain: stop.drain.signal,
      onEvent,
      tagListings: run.tagListings,
    });
    const status = result.status === 'skipped' ? 'up-to-date' : 'copied';
    return { ...image, status, bytes: result.bytes, ...(result.referrers ? { referrers: result.referrers } : {}) };
  } catch (error) {
    // The engine already emitted image-failed (or image-cancelled) with the reason.
    if (error instanceof CancelledError) return { ...image, status: 'cancelled', bytes: 0 };
    return { ...image, status: 'failed', bytes: 0, error: errorInfo(error) };
  }
}

/** Lists and filters the source's tags; a listing that failed is the command's error (exit 1). */
async function selectTags(
  source: Reference,
  target: Reference,
  flags: CopyFlags,
  endpoint: EndpointOptions,
  clients: RegistryClients,
  signal: AbortSignal,
  tagListings: TagListings,
): Promise<{ expansion: RuleExpansion; images: Array<{ source: string; target: string }> }> {
  const rule = allTagsRule(`${source.registry}/${source.repository}`, flags);
  const lister = rememberingLister(registryLister(clients, { endpoint: () => endpoint }), tagListings);
  const expansion = await expandRule(rule, { lister, target: { hostname: target.registry, repository: '' }, signal });
  const failed = expansion.problems.find((p) => p.severity === 'error');
  if (failed) throw failed.error instanceof Error ? failed.error : new PictureBookError('HTTP', failed.message);
  // Every tag lands under its own name in the one target repository (no prefix, no path mapping).
  const images = expansion.images.map((image) => ({
    source: image.source,
    target: target.withTag(parseReference(image.source).tag ?? '').toString(),
  }));
  return { expansion, images };
}

/**
 * `picture-book copy --all-tags SRC-REPO DST-REPO`: every tag of a repository (that the filter flags
 * keep) into a target repository, each under its own name, like `skopeo sync` and `crane copy
 * --all-tags`. All the selected tags go through one engine: the no-change check is two HEADs per tag,
 * many at once; the rest is what `copy` does for one image. Exit 1 when any tag failed.
 */
export async function runCopyAllTags(sourceArg: string, targetArg: string, flags: CopyFlags): Promise<void> {
  tuneForOneShotRun();
  const source = repositoryArgument(sourceArg, 'source');
  const target = repositoryArgument(targetArg, 'target');
  // Flags are checked before any request: a bad regex is a usage error, not a failed listing.
  allTagsRule(`${source.registry}/${source.repository}`, flags);
  const sourceEndpoint = await endpointFromFlags(source.registry, side(flags, 'src'), 'src');
  const targetEndpoint = await endpointFromFlags(target.registry, side(flags, 'dest'), 'dest');
  const timeouts = timeoutsFromSettings(timeoutSettingsFromFlags(flags));
  const engine = new CopyEngine({ timeouts });
  // The listing has its own pool: one request or a few, done before the first copy starts.
  const clients = new RegistryClients({ timeouts });
  const err = { write: (text: string) => process.stderr.write(processScrubber.scrub(text)) };
  const view: AllTagsView = createAllTagsView(process.stdout, { verbose: flags.verbose === true, err });
  const registry = target.registry;
  const dryRun = flags.dryRun === true;
  const emit = (event: LoadEvent): void => view.handle(MESSAGE_EVENTS.has(event.type) ? processScrubber.scrubDeep(event) : event);
  const stop = new StopSignals((signal, abortNow) => emit({ type: 'run-stopping', signal, abortNow, time: Date.now() }));
  try {
    const tagListings = new TagListings();
    const { expansion, images } = await selectTags(source, target, flags, sourceEndpoint, clients, stop.abort.signal, tagListings);
    view.note(selectionNote(expansion, flags.verbose === true));
    const startedAt = Date.now();
    emit({ type: 'run-started', registries: [registry], dryRun, time: startedAt });
    emit({ type: 'registry-started', registry, time: startedAt });
    emit({ type: 'registry-listed', registry, images: images.length, time: Date.now() });
    const run: AllTagsRun = {
      engine,
      images,
      task: {
        platforms: flags.platform,
        force: flags.force === true,
        sourceEndpoint,
        targetEndpoint,
        referrers: flags.referrers !== false,
        cosignTags: flags.cosignTags !== false,
        artifactTypes: { include: flags.referrerType ?? [], exclude: flags.skipReferrerType ?? [] },
      },
      registry,
      dryRun,
      emit,
      stop,
      tagListings,
    };
    const outcomes = await Promise.all(images.map((image) => copyOne(image, run)));
    const counts = new RunCounter();
    for (const outcome of outcomes) counts.add(outcome.status, outcome.bytes, outcome.referrers);
    const { copied, upToDate, failed, cancelled, bytes } = counts;
    const durationMs = Date.now() - startedAt;
    const finished = { copied, upToDate, failed, cancelled, bytes, durationMs, ok: failed === 0, ...referrersFound(counts.referrers) };
    emit({ type: 'registry-finished', registry, ...finished, time: Date.now() });
    emit({ type: 'run-finished', ...finished, time: Date.now() });
    process.exitCode = stop.exitCode ?? (failed > 0 ? 1 : 0);
  } finally {
    stop.dispose();
    view.close();
    await Promise.all([engine.close(), clients.close()]);
  }
}
