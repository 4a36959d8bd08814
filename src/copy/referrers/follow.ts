import { isIndexMediaType, type RepositoryClient } from '../../registry/index.js';
import type { BlobCopier } from '../blob-copier.js';
import { CopyStats } from '../copy-stats.js';
import type { CopyTask } from '../copy-task.js';
import type { CopyEventListener } from '../events.js';
import { discoverReferrers } from './discover.js';
import type { KeyedLock } from './keyed-lock.js';
import { copyReferrers, DEFAULT_REFERRER_SETTINGS } from './referrer-copier.js';

export interface FollowInput {
  task: CopyTask;
  sourceRepo: RepositoryClient;
  targetRepo: RepositoryClient;
  targetName: string;
  /** The manifests now at the target (see image-copier.ts CopiedImage). */
  subjects: readonly string[];
  emit: CopyEventListener;
  blobs: BlobCopier;
  locks: KeyedLock;
}

/** Copies what describes the manifests `subjects` (see referrer-copier.ts); returns the counts. */
export async function followReferrers(input: FollowInput): Promise<{ copied: number; present: number }> {
  const { task, sourceRepo } = input;
  let tags: Promise<string[]> | undefined;
  const counts = { copied: 0, present: 0 };
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
      // Listed once per image copy, and only when a subject is there to look for.
      sourceTags: () => (tags ??= sourceRepo.listTags()),
      counts,
      visited: new Set(),
    },
    input.subjects,
  );
  return counts;
}

/** An up-to-date image's manifests: itself and, for an index, its children (read at the target, not the source). */
export async function upToDateSubjects(targetRepo: RepositoryClient, digest: string, mediaType: string | undefined): Promise<string[]> {
  if (!mediaType || !isIndexMediaType(mediaType)) return [digest];
  const index = await targetRepo.getManifest(digest);
  return [digest, ...(index.parsed.kind === 'index' ? index.parsed.manifests.map((c) => c.digest) : [])];
}

/** A platform filter left the source index behind: its referrers describe a manifest the target does not hold. */
export async function notApplicable(
  task: CopyTask,
  sourceRepo: RepositoryClient,
  subject: string,
  target: string,
  emit: CopyEventListener,
): Promise<void> {
  const found = await discoverReferrers(sourceRepo, undefined, subject, task.artifactTypes ?? {});
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
