import { CancelledError } from '../../errors/index.js';
import { isIndexMediaType, type ContentRepository } from '../../registry/index.js';
import type { BlobCopier } from '../blob-copier.js';
import { CopyStats } from '../copy-stats.js';
import type { CopyTask } from '../copy-task.js';
import type { CopyEventListener } from '../events.js';
import type { TagListings } from '../tag-listings.js';
import { discoverReferrers } from './discover.js';
import type { KeyedLock } from './keyed-lock.js';
import { copyReferrers, DEFAULT_REFERRER_SETTINGS, type ReferrerCounts } from './referrer-copier.js';
import { listOrWarn } from './referrer-problems.js';

export interface FollowInput {
  task: CopyTask;
  sourceRepo: ContentRepository;
  targetRepo: ContentRepository;
  targetName: string;
  /** The manifests now at the target (see image-copier.ts CopiedImage). */
  subjects: readonly string[];
  emit: CopyEventListener;
  blobs: BlobCopier;
  locks: KeyedLock;
  /** The run's tag listings (see tag-listings.ts), keyed by the source as the task names it. */
  tagListings?: { listings: TagListings; registry: string; repository: string } | undefined;
}

/** Copies what describes the manifests `subjects` (see referrer-copier.ts); returns the counts. */
export async function followReferrers(input: FollowInput): Promise<ReferrerCounts> {
  const { task, sourceRepo } = input;
  let tags: Promise<readonly string[] | undefined> | undefined;
  const counts = { copied: 0, present: 0, failed: 0 };
  const about = { target: input.targetName, subject: input.subjects[0] ?? '', emit: input.emit };
  const shared = input.tagListings;
  const list = (): Promise<readonly string[]> =>
    shared ? shared.listings.tags(shared.registry, shared.repository, () => sourceRepo.listTags()) : sourceRepo.listTags();
  await copyReferrers(
    {
      tree: {
        source: sourceRepo,
        target: input.targetRepo,
        targetName: input.targetName,
        blobs: input.blobs,
        stats: new CopyStats(),
        force: task.force === true,
        emit: input.emit,
      },
      settings: { ...DEFAULT_REFERRER_SETTINGS, cosignTags: task.cosignTags !== false, filter: task.artifactTypes ?? {} },
      locks: input.locks,
      // Listed once per run and repository (once per copy without a run's listings), and only when
      // a subject is there to look for; a listing that fails is one warning for the image.
      sourceTags: () => (tags ??= listOrWarn(sourceRepo, 'tags', about, list)),
      counts,
      visited: new Set(),
      // An index's children hang under the index (the image named at the target).
      parents: new Map(input.subjects.slice(1).map((child) => [child, input.subjects[0] ?? child])),
    },
    input.subjects,
  );
  return counts;
}

/**
 * An up-to-date image's manifests: itself and, for an index, its children, read at the target. A
 * delta bundle names an index its base holds without its bytes: then the source is read, by the
 * same digest (up to date: the source serves it too).
 */
export async function upToDateSubjects(
  targetRepo: ContentRepository,
  sourceRepo: ContentRepository,
  digest: string,
  mediaType: string | undefined,
): Promise<string[]> {
  if (!mediaType || !isIndexMediaType(mediaType)) return [digest];
  const index = await targetRepo.getManifest(digest).catch(async (error: unknown) => {
    if (error instanceof CancelledError) throw error;
    return sourceRepo.getManifest(digest).catch(() => Promise.reject(error as Error));
  });
  return [digest, ...(index.parsed.kind === 'index' ? index.parsed.manifests.map((c) => c.digest) : [])];
}

/** A platform filter left the source index behind: its referrers describe a manifest the target does not hold. */
export async function notApplicable(
  task: CopyTask,
  sourceRepo: ContentRepository,
  subject: string,
  target: string,
  emit: CopyEventListener,
): Promise<void> {
  const found = await discoverReferrers(sourceRepo, undefined, subject, task.artifactTypes ?? {}, { target, emit });
  if (found.entries.length === 0) return;
  emit({
    type: 'referrers-not-applicable',
    target,
    subject,
    count: found.entries.length,
    reason: 'the platform filter wrote another manifest in its place, so they describe nothing the target holds',
    time: Date.now(),
  });
}
