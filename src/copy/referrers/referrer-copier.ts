import { CancelledError, PictureBookError, errorMessage } from '../../errors/index.js';
import { MediaType, referrersTag, type ReferrerEntry } from '../../registry/index.js';
import type { ReferrerCounts } from '../events.js';
import { copyReferenced, presentAtTarget, writeManifest, type TreeContext } from '../manifest-tree.js';
import { settleAll } from '../settle-all.js';
import { artifactTypeOfManifest, type ArtifactTypeFilter } from './artifact-filter.js';
import { copyCosignTags } from './cosign-tags.js';
import { discoverReferrers, type Discovered, type DiscoveryLookups } from './discover.js';
import { indexDigests, mergeFallbackIndex } from './fallback-index.js';
import type { KeyedLock } from './keyed-lock.js';
import { noteParent, referrerPath, type ReferrerParents } from './referrer-path.js';
import { copyOrWarn } from './referrer-problems.js';

/** What follows an image, and how far. */
export interface ReferrerSettings {
  /** cosign's `sha256-<hex>.*` tags too (default true). */
  cosignTags: boolean;
  filter: ArtifactTypeFilter;
  /** Levels of referrers of referrers followed (1: only those of the image). */
  maxDepth: number;
}

export const DEFAULT_REFERRER_SETTINGS: ReferrerSettings = { cosignTags: true, filter: {}, maxDepth: 4 };

export type { ReferrerCounts };

/** What the referrers of one image copy share. */
export interface ReferrerContext {
  tree: TreeContext;
  settings: ReferrerSettings;
  /** Serialises fallback-index updates of one target tag across every copy of the engine. */
  locks: KeyedLock;
  /**
   * The source repository's tags, listed once per run and repository (see follow.ts); undefined
   * when they could not be listed (a `referrers-not-listed` warning said so once).
   */
  sourceTags: () => Promise<readonly string[] | undefined>;
  /** What the run knows of the source repository that spares discovery requests (see discover.ts). */
  lookups: DiscoveryLookups;
  counts: ReferrerCounts;
  /** Subjects already handled by this copy: a referrer loop ends here. */
  visited: Set<string>;
  /** What each followed manifest describes: the path from the image told to the target on each write. */
  parents: ReferrerParents;
}

/**
 * Copies what describes the manifests `subjects` (now at the target): their OCI 1.1 referrers,
 * recursively, and their cosign tags. What cannot be listed or copied is a warning event (see
 * referrer-problems.ts), never the image's failure; a failure left over (a bug) names the image's
 * signatures, so the image's own copy (already done, tag written) is not mistaken for what failed.
 */
export async function copyReferrers(ctx: ReferrerContext, subjects: readonly string[]): Promise<void> {
  try {
    await settleAll(subjects.map((digest) => followSubject(ctx, digest, 0)));
  } catch (error) {
    if (error instanceof CancelledError || !(error instanceof PictureBookError)) throw error;
    const code = error.code;
    throw new PictureBookError(code, `signatures and attestations of ${ctx.tree.targetName}: ${errorMessage(error)}`, { cause: error });
  }
}

export async function followSubject(ctx: ReferrerContext, subject: string, depth: number): Promise<void> {
  if (depth >= ctx.settings.maxDepth || ctx.visited.has(subject)) return;
  ctx.visited.add(subject);
  await settleAll([
    copyListed(ctx, subject, depth),
    ...(ctx.settings.cosignTags ? [copyCosignTags(ctx, subject, depth, followSubject)] : []),
  ]);
}

/** The OCI 1.1 referrers of `subject`, then the target's fallback index when it needs one, then theirs. */
async function copyListed(ctx: ReferrerContext, subject: string, depth: number): Promise<void> {
  const { source, target, targetName, emit } = ctx.tree;
  const found = await discoverReferrers(source, target, subject, ctx.settings.filter, { target: targetName, emit }, ctx.lookups);
  if (found.entries.length === 0) return;
  const outcomes = await settleAll(found.entries.map((entry) => copyReferrer(ctx, subject, entry, found)));
  // Only what is at the target is indexed there and followed further.
  const atTarget = found.entries.filter((_, i) => outcomes[i] !== 'failed');
  const pushed = outcomes.filter((o): o is { ociSubject: string | undefined } => typeof o === 'object');
  // A registry with the referrers API says so on every PUT of a manifest with a subject.
  const indexedByTarget = pushed.some((w) => w.ociSubject !== undefined);
  if (!indexedByTarget && !found.sameAtTarget && atTarget.length > 0) {
    const tag = referrersTag(subject);
    const about = { target: targetName, subject, tag, emit, counts: ctx.counts };
    const allWritten = pushed.length === found.entries.length;
    await copyOrWarn(target, about, () => keepFallbackIndex(ctx, subject, found, atTarget, allWritten));
  }
  for (const entry of atTarget) noteParent(ctx.parents, entry.descriptor.digest, subject);
  await settleAll(atTarget.map((entry) => followSubject(ctx, entry.descriptor.digest, depth + 1)));
}

/** One referrer: skipped when the target has it by digest (HEAD), else its content, then it by digest. */
async function copyReferrer(
  ctx: ReferrerContext,
  subject: string,
  entry: ReferrerEntry,
  found: Discovered,
): Promise<'present' | 'failed' | { ociSubject: string | undefined }> {
  const digest = entry.descriptor.digest;
  let outcome: 'present' | { ociSubject: string | undefined } = 'present';
  const about = { target: ctx.tree.targetName, subject, digest, emit: ctx.tree.emit, counts: ctx.counts };
  const done = await copyOrWarn(ctx.tree.target, about, async () => {
    if (found.sameAtTarget || (await presentAtTarget(ctx.tree.target, digest, ctx.tree.force))) {
      ctx.counts.present++;
      return;
    }
    const manifest = await ctx.tree.source.getManifest(digest);
    await copyReferenced(ctx.tree, manifest);
    // A child: the fallback index (or the target's referrers API) lists it, not a tag of its own.
    const path = referrerPath(ctx.parents, subject);
    const pushed = await writeManifest(ctx.tree, digest, manifest.bytes, manifest.mediaType, { child: true, referrerPath: path });
    ctx.counts.copied++;
    ctx.tree.emit({
      type: 'referrer-copied',
      target: ctx.tree.targetName,
      subject,
      digest,
      artifactType: entry.artifactType ?? artifactTypeOfManifest(manifest),
      via: found.via,
      time: Date.now(),
    });
    outcome = { ociSubject: pushed.ociSubject };
  });
  return done ? outcome : 'failed';
}

/**
 * The target without referrers API lists a subject's referrers in its fallback tag: read it, add
 * what is missing, write it back, one writer per tag at a time in this process. When every
 * referrer was just written without `OCI-Subject`, the target has no API; when none was written,
 * the target is asked (its referrers API, else its fallback tag).
 */
async function keepFallbackIndex(
  ctx: ReferrerContext,
  subject: string,
  found: Discovered,
  atTarget: readonly ReferrerEntry[],
  allWrittenWithoutSubject: boolean,
): Promise<void> {
  const target = ctx.tree.target;
  if (!allWrittenWithoutSubject) {
    const listing = await target.listReferrers(subject);
    if (listing.supported) return;
  }
  const tag = referrersTag(subject);
  const key = `${target.where}:${tag}`;
  await ctx.locks.run(key, async () => {
    const existing = await existingIndex(ctx, tag);
    if (existing) {
      const held = indexDigests(existing);
      if (atTarget.every((e) => held.has(e.descriptor.digest))) return;
    }
    // A new tag takes the source's own index when nothing was filtered out or failed: the same
    // digest on both sides, so the next run sees it unchanged by HEAD.
    const whole = found.filteredOut === 0 && atTarget.length === found.entries.length;
    const bytes =
      !existing && found.sourceIndex && whole
        ? found.sourceIndex.bytes
        : mergeFallbackIndex(
            existing,
            atTarget.map((e) => ({ ...e.raw, digest: e.descriptor.digest })),
          );
    if (!bytes) return;
    await writeManifest(ctx.tree, tag, bytes, MediaType.ociIndex, { referrerPath: referrerPath(ctx.parents, subject) });
    ctx.tree.emit({
      type: 'referrers-index-written',
      target: ctx.tree.targetName,
      subject,
      tag,
      entries: indexDigests(bytes).size,
      time: Date.now(),
    });
  });
}

/**
 * The target's fallback index now, undefined when it has none. A delta bundle names the index its
 * base bundle holds without holding its bytes: those are read from the source by digest (verified).
 */
async function existingIndex(ctx: ReferrerContext, tag: string): Promise<Buffer | undefined> {
  const { source, target } = ctx.tree;
  const head = await target.headManifest(tag);
  if (!head) return undefined;
  try {
    return (await target.getManifest(tag)).bytes;
  } catch (error) {
    if (!head.digest || error instanceof CancelledError) throw error;
    return (await source.getManifest(head.digest).catch(() => Promise.reject(error as Error))).bytes;
  }
}
