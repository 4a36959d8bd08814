import { CancelledError, PictureBookError, errorMessage } from '../../errors/index.js';
import { isCosignTagOf, MediaType, referrersTag, type FetchedManifest, type ReferrerEntry } from '../../registry/index.js';
import { lookUpManifest } from '../manifest-lookup.js';
import { copyReferenced, presentAtTarget, writeManifest, type TreeContext } from '../manifest-tree.js';
import { settleAll } from '../settle-all.js';
import { passesFilter, type ArtifactTypeFilter } from './artifact-filter.js';
import { discoverReferrers, type Discovered } from './discover.js';
import { indexDigests, mergeFallbackIndex } from './fallback-index.js';
import type { KeyedLock } from './keyed-lock.js';

/** What follows an image, and how far. */
export interface ReferrerSettings {
  /** cosign's `sha256-<hex>.*` tags too (default true). */
  cosignTags: boolean;
  filter: ArtifactTypeFilter;
  /** Levels of referrers of referrers followed (1: only those of the image). */
  maxDepth: number;
}

export const DEFAULT_REFERRER_SETTINGS: ReferrerSettings = { cosignTags: true, filter: {}, maxDepth: 4 };

/** What the referrers of one image copy share. */
export interface ReferrerContext {
  tree: TreeContext;
  settings: ReferrerSettings;
  /** Serialises fallback-index updates of one target tag across every copy of the engine. */
  locks: KeyedLock;
  /** The source repository's tags, listed once per copy (or per run, when the caller shares a listing). */
  sourceTags: () => Promise<readonly string[]>;
  counts: { copied: number; present: number };
  /** Subjects already handled by this copy: a referrer loop ends here. */
  visited: Set<string>;
}

/**
 * Copies what describes the manifests `subjects` (now at the target): their OCI 1.1 referrers,
 * recursively, and their cosign tags. A failure names the image's signatures, so the image's own
 * copy (already done, tag written) is not mistaken for what failed.
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

async function followSubject(ctx: ReferrerContext, subject: string, depth: number): Promise<void> {
  if (depth >= ctx.settings.maxDepth || ctx.visited.has(subject)) return;
  ctx.visited.add(subject);
  await settleAll([copyListed(ctx, subject, depth), ...(ctx.settings.cosignTags ? [copyCosignTags(ctx, subject, depth)] : [])]);
}

/** The OCI 1.1 referrers of `subject`, then the target's fallback index when it needs one, then theirs. */
async function copyListed(ctx: ReferrerContext, subject: string, depth: number): Promise<void> {
  const found = await discoverReferrers(ctx.tree.source, ctx.tree.target, subject, ctx.settings.filter);
  if (found.entries.length === 0) return;
  const written = await settleAll(found.entries.map((entry) => copyReferrer(ctx, subject, entry, found)));
  // A registry with the referrers API says so on every PUT of a manifest with a subject.
  const indexedByTarget = written.some((w) => w?.ociSubject !== undefined);
  if (!indexedByTarget && !found.sameAtTarget) await keepFallbackIndex(ctx, subject, found, written.length > 0 && written.every(Boolean));
  await settleAll(found.entries.map((entry) => followSubject(ctx, entry.descriptor.digest, depth + 1)));
}

/** One referrer: skipped when the target has it by digest (HEAD), else its content, then it by digest. */
async function copyReferrer(
  ctx: ReferrerContext,
  subject: string,
  entry: ReferrerEntry,
  found: Discovered,
): Promise<{ ociSubject: string | undefined } | undefined> {
  const digest = entry.descriptor.digest;
  if (found.sameAtTarget || (await presentAtTarget(ctx.tree.target, digest, ctx.tree.force))) {
    ctx.counts.present++;
    return undefined;
  }
  const manifest = await ctx.tree.source.getManifest(digest);
  await copyReferenced(ctx.tree, manifest);
  const pushed = await writeManifest(ctx.tree, digest, manifest.bytes, manifest.mediaType);
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
  return { ociSubject: pushed.ociSubject };
}

function artifactTypeOfManifest(manifest: FetchedManifest): string {
  const parsed = manifest.parsed;
  return parsed.artifactType ?? (parsed.kind === 'image' ? parsed.config.mediaType : parsed.mediaType);
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
    const existing = (await target.headManifest(tag)) ? (await target.getManifest(tag)).bytes : undefined;
    if (existing) {
      const held = indexDigests(existing);
      if (found.entries.every((e) => held.has(e.descriptor.digest))) return;
    }
    // A new tag takes the source's own index when nothing was filtered out: the same digest on both
    // sides, so the next run sees it unchanged by HEAD.
    const bytes =
      !existing && found.sourceIndex && found.filteredOut === 0
        ? found.sourceIndex.bytes
        : mergeFallbackIndex(
            existing,
            found.entries.map((e) => ({ ...e.raw, digest: e.descriptor.digest })),
          );
    if (!bytes) return;
    await writeManifest(ctx.tree, tag, bytes, MediaType.ociIndex);
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

/** cosign's `sha256-<hex>.sig/.att/.sbom` (any `.suffix`) tags of `subject`: compared by HEAD on both sides. */
async function copyCosignTags(ctx: ReferrerContext, subject: string, depth: number): Promise<void> {
  const tags = (await ctx.sourceTags()).filter((tag) => isCosignTagOf(tag, subject));
  await settleAll(
    tags.map(async (tag) => {
      const { source, target } = ctx.tree;
      const [found, atTarget] = await Promise.all([lookUpManifest(source, tag), target.headManifest(tag)]);
      if (!found) return; // gone since the listing
      if (!ctx.tree.force && atTarget?.digest === found.digest) {
        ctx.counts.present++;
        return followSubject(ctx, found.digest, depth + 1);
      }
      const manifest = found.manifest ?? (await source.getManifest(found.digest));
      const artifactType = artifactTypeOfManifest(manifest);
      if (!passesFilter(artifactType, ctx.settings.filter)) return;
      await copyReferenced(ctx.tree, manifest);
      await writeManifest(ctx.tree, tag, manifest.bytes, manifest.mediaType);
      ctx.counts.copied++;
      ctx.tree.emit({
        type: 'referrer-copied',
        target: ctx.tree.targetName,
        subject,
        digest: found.digest,
        artifactType,
        via: 'cosign-tag',
        tag,
        time: Date.now(),
      });
      await followSubject(ctx, found.digest, depth + 1);
    }),
  );
}
