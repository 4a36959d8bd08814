import { CancelledError } from '../../errors/index.js';
import type { ContentRepository, FetchedManifest } from '../../registry/index.js';
import type { BlobCopier } from '../blob-copier.js';
import { CopyStats } from '../copy-stats.js';
import type { CopyTask } from '../copy-task.js';
import type { CopyEventListener } from '../events.js';
import type { TagListings } from '../tag-listings.js';
import { discoverReferrers, type DiscoveryLookups } from './discover.js';
import type { KeyedLock } from './keyed-lock.js';
import { copyReferrers, DEFAULT_REFERRER_SETTINGS, type ReferrerContext, type ReferrerCounts } from './referrer-copier.js';
import { noteParent } from './referrer-path.js';
import { ReferrersApiAnswers } from './referrers-api-answers.js';
import { listOrWarn } from './referrer-problems.js';

export interface FollowInput {
  task: CopyTask;
  sourceRepo: ContentRepository;
  targetRepo: ContentRepository;
  targetName: string;
  /** The manifests now at the target (see image-copier.ts CopiedImage). */
  subjects: readonly string[];
  /**
   * An up-to-date index's children (`subjects` is the index alone), read only once the index's own
   * referrers were looked for and only when a child could have any (see couldHaveReferrers).
   */
  children?: (() => Promise<readonly string[]>) | undefined;
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
  const cosignTags = task.cosignTags !== false;
  // Listed once per run and repository (once per copy without a run's listings), and only when
  // a subject is there to look for; a listing that fails is one warning for the image.
  const sourceTags = () => (tags ??= listOrWarn(sourceRepo, 'tags', about, list));
  // Without cosign tags the list is not fetched for discovery's sake: used only if the run has it.
  const listed = shared?.listings.listed(shared.registry, shared.repository);
  const lookups: DiscoveryLookups = {
    api: shared?.listings.referrersApi ?? new ReferrersApiAnswers(),
    tags: cosignTags ? sourceTags : listed && (() => listed.catch(() => undefined)),
  };
  const image = input.subjects[0] ?? '';
  const ctx: ReferrerContext = {
    tree: {
      source: sourceRepo,
      target: input.targetRepo,
      targetName: input.targetName,
      blobs: input.blobs,
      stats: new CopyStats(),
      force: task.force === true,
      emit: input.emit,
    },
    settings: { ...DEFAULT_REFERRER_SETTINGS, cosignTags, filter: task.artifactTypes ?? {} },
    locks: input.locks,
    sourceTags,
    lookups,
    counts,
    visited: new Set(),
    // An index's children hang under the index (the image named at the target).
    parents: new Map(input.subjects.slice(1).map((child) => [child, image])),
  };
  await copyReferrers(ctx, input.subjects);
  if (input.children && (await couldHaveReferrers(sourceRepo, lookups))) {
    const children = await input.children();
    for (const child of children) noteParent(ctx.parents, child, image);
    await copyReferrers(ctx, children);
  }
  return counts;
}

/** A digest-shaped tag (`<alg>-<encoded>`, cut as referrersTag cuts it, maybe `.sig`...): a fallback or cosign tag. */
const DIGEST_TAG = /^[A-Za-z0-9_-]{1,32}-[A-Za-z0-9_=-]{32,64}(\..+)?$/;

/**
 * Whether a manifest of `source` other than those looked at could have referrers: not when the
 * repository answered that it has no referrers API and its tags (complete) hold no fallback or
 * cosign tag of any digest. Then an up-to-date index's children are not even read.
 */
export async function couldHaveReferrers(source: ContentRepository, lookups: DiscoveryLookups): Promise<boolean> {
  if (!lookups.api || !(await lookups.api.unsupported(source))) return true;
  const tags = await lookups.tags?.();
  return tags === undefined || tags.some((tag) => DIGEST_TAG.test(tag));
}

/**
 * An up-to-date index's children. The source's index, when the check read it (a HEAD without
 * digest), holds them (same digest, same bytes); else the target's is read. A delta bundle names
 * an index its base holds without its bytes: then the source is read, by the same digest (up to
 * date: the source serves it too).
 */
export async function upToDateChildren(
  targetRepo: ContentRepository,
  sourceRepo: ContentRepository,
  digest: string,
  sourceIndex?: FetchedManifest,
): Promise<string[]> {
  const index =
    sourceIndex?.digest === digest
      ? sourceIndex
      : await targetRepo.getManifest(digest).catch(async (error: unknown) => {
          if (error instanceof CancelledError) throw error;
          return sourceRepo.getManifest(digest).catch(() => Promise.reject(error as Error));
        });
  return index.parsed.kind === 'index' ? index.parsed.manifests.map((c) => c.digest) : [];
}

/** A platform filter left the source index behind: its referrers describe a manifest the target does not hold. */
export async function notApplicable(
  task: CopyTask,
  sourceRepo: ContentRepository,
  subject: string,
  target: string,
  emit: CopyEventListener,
  lookups: DiscoveryLookups = {},
): Promise<void> {
  const found = await discoverReferrers(sourceRepo, undefined, subject, task.artifactTypes ?? {}, { target, emit }, lookups);
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
