import { CancelledError, errorInfo } from '../errors/index.js';
import { parseReference, type Reference } from '../reference/index.js';
import { isIndexMediaType, parsePlatform } from '../registry/index.js';
import type { BlobCopier } from './blob-copier.js';
import { checkImage } from './check-image.js';
import type { CopyRunOptions } from './copy-run-options.js';
import type { CopyTask } from './copy-task.js';
import { ignoreEvents, type CopyEventListener } from './events.js';
import type { OpenRepositories } from './open-repositories.js';
import type { ReferrersStep } from './grouped-copy.js';
import { copyImage, upToDateResult, type CopyResult } from './image-copier.js';
import { imageDoneEvent } from './image-done.js';
import type { Limiter } from './limiter.js';
import { upToDateChildren } from './referrers/follow.js';
import { resolveImage } from './resolve.js';
import { withSourceTag } from './target-defaults.js';

/** The engine's parts one copy goes through: its limits, its blob copier, its repositories and its referrers step. */
export interface SingleCopyParts {
  /** The source and target of the copy, the target opened for push; their requests report retries to `emit`. */
  repositories: OpenRepositories;
  lookahead: Limiter;
  checks: Limiter;
  images: Limiter;
  blobs: BlobCopier;
  referrers: ReferrersStep;
}

/**
 * Copies one image; resolves with what was done, rejects with a typed error and emits
 * image-failed, or, once `run.signal` aborted, rejects with a CancelledError and emits image-cancelled.
 */
export async function copySingle(task: CopyTask, run: CopyRunOptions, parts: SingleCopyParts): Promise<CopyResult> {
  const shownSource = task.source;
  const shownTarget = task.target;
  const emit = run.onEvent ?? ignoreEvents;
  let started = false;
  try {
    const source = parseReference(task.source);
    const target = withSourceTag(source, parseReference(task.target));
    const platforms = (task.platforms ?? []).map(parsePlatform);
    const force = task.force === true;
    const filtered = platforms.length > 0;
    const { sourceRepo, targetRepo } = await parts.repositories(source, target, task, emit, run.signal);
    const began = Date.now();
    // Three stages. A window bounds how many images are checked and resolved ahead of the
    // transfers (their manifests wait in memory). The no-change check is two HEADs, so many run
    // at once outside the transfer slots: up-to-date images never wait behind a copy. An image to
    // copy has its manifests read there too, and then waits for a transfer slot biggest first.
    const leaveWindow = await parts.lookahead.acquire();
    let transfer: () => void = () => {};
    let unclaim: () => void = () => {};
    try {
      const checkNow = () =>
        parts.checks.run(async () => {
          throwIfStopping(run, shownTarget);
          const check = await checkImage(source, target, sourceRepo, targetRepo, {
            filtered,
            force,
            onDigestFallback: digestFallback(target, emit),
          });
          if (check.action === 'up-to-date') return { check, resolved: undefined };
          const resolved = await resolveImage({
            sourceRepo,
            targetRepo,
            sourceDigest: check.digest,
            sourceManifest: check.manifest,
            shownSource: source.toString(),
            filtered,
            force,
          });
          return { check, resolved };
        });
      let checked = await checkNow();
      if (checked.resolved && run.claim) {
        const claim = await run.claim(checked.check.digest);
        unclaim = claim.release;
        // Another process wrote this image to this tag meanwhile: what the target has now decides.
        if (claim.waited) checked = await checkNow();
      }
      if (!checked.resolved) {
        const result = upToDateResult(source, target, checked.check.digest, began);
        if (task.referrers !== false) {
          const { digest, targetMediaType, manifest } = checked.check;
          const image = { task, source, target, sourceRepo, targetRepo, digest: result.digest, run, emit };
          // An index's children are read only if one could have referrers, from the source's bytes if the check read them.
          const index = targetMediaType !== undefined && isIndexMediaType(targetMediaType);
          const children = index ? () => upToDateChildren(targetRepo, sourceRepo, digest, manifest) : undefined;
          result.referrers = await parts.referrers(image, () => Promise.resolve([digest]), children);
        }
        emit({
          type: 'image-skipped',
          source: result.source,
          target: result.target,
          digest: result.digest,
          reason: 'up-to-date',
          ...(result.referrers ? { referrers: result.referrers } : {}),
          time: Date.now(),
        });
        return result;
      }
      transfer = await parts.images.acquire(checked.resolved.bytes);
      leaveWindow();
      throwIfStopping(run, shownTarget);
      started = true;
      emit({ type: 'image-started', source: source.toString(), target: target.toString(), time: Date.now() });
      const { result, subjects } = await copyImage({
        source,
        target,
        sourceRepo,
        targetRepo,
        resolved: checked.resolved,
        platforms,
        ...(task.missingPlatforms ? { missingPlatforms: task.missingPlatforms } : {}),
        force,
        blobs: parts.blobs,
        emit,
        ...(run.sharedBlobs ? { sharedBlobs: run.sharedBlobs } : {}),
      });
      // An image skipped for its platforms was not written: nothing of it to sign at the target.
      const follows = task.referrers !== false && result.status !== 'platform-skipped';
      if (follows) {
        const image = { task, source, target, sourceRepo, targetRepo, digest: result.sourceDigest, written: result.digest, run, emit };
        result.referrers = await parts.referrers(image, () => Promise.resolve(subjects));
      }
      const time = Date.now();
      const referrers = result.referrers ? { referrers: result.referrers } : {};
      if (result.status === 'skipped') {
        const { source, target, digest } = result;
        emit({ type: 'image-skipped', source, target, digest, reason: 'up-to-date', ...referrers, time });
      } else if (result.status === 'platform-skipped') {
        const { source, target, digest, note } = result;
        emit({ type: 'image-skipped', source, target, digest, reason: 'platform', ...(note ? { note } : {}), time });
      } else {
        emit(imageDoneEvent(result, time));
      }
      return result;
    } finally {
      unclaim();
      transfer();
      leaveWindow();
    }
  } catch (error) {
    // Whatever broke after the run was stopped (an aborted request, a reset stream) is the stop's doing.
    const cancelled = CancelledError.ifAborted([run.signal], shownTarget, error);
    if (cancelled) {
      emit({ type: 'image-cancelled', source: shownSource, target: shownTarget, started, time: Date.now() });
      throw cancelled;
    }
    emit({ type: 'image-failed', source: shownSource, target: shownTarget, error: errorInfo(error), time: Date.now() });
    throw error;
  }
}

/** Reports a GET that stood in for a HEAD without digest, as an event of the image `target`. */
export function digestFallback(target: Reference, emit: CopyEventListener): (reference: string) => void {
  return (reference) => emit({ type: 'digest-fallback', target: target.toString(), reference, time: Date.now() });
}

/** A copy still waiting for its turn does not start once its run is stopping or stopped. */
function throwIfStopping(run: CopyRunOptions, shownTarget: string): void {
  const stopped = CancelledError.ifAborted([run.signal, run.drain], shownTarget);
  if (stopped) throw stopped;
}
