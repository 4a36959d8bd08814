import type { Reference } from '../reference/index.js';
import { formatPlatform, type FetchedManifest, type MissingPlatforms, type Platform, type ContentRepository } from '../registry/index.js';
import type { BlobCopier } from './blob-copier.js';
import { CopyStats } from './copy-stats.js';
import { TargetStop } from './target-stop.js';
import type { CopyEventListener, ImageCopyFigures, ReferrerCounts } from './events.js';
import { copyChild, copyReferenced, settleStopping, writeManifest, type TreeContext } from './manifest-tree.js';
import { checkImagePlatform, selectPlatforms } from './platform-selection.js';
import { fetchSourceOrTarget, type ResolvedImage } from './resolve.js';

export interface ImageCopyInput {
  source: Reference;
  target: Reference;
  sourceRepo: ContentRepository;
  targetRepo: ContentRepository;
  /** The manifests the resolve stage read (resolve.ts); nothing is read twice. */
  resolved: ResolvedImage;
  platforms: readonly Platform[];
  /** An image without the platforms asked for: an error (default), or skipped with a note. */
  missingPlatforms?: MissingPlatforms;
  force: boolean;
  blobs: BlobCopier;
  emit: CopyEventListener;
}

export interface CopyResult extends ImageCopyFigures {
  /** `skipped`: up to date; `platform-skipped`: none of the platforms asked for (`note` says why), nothing written. */
  status: 'copied' | 'skipped' | 'platform-skipped';
  source: string;
  target: string;
  manifestsWritten: number;
  /** Set when the target digest differs from the source on purpose (platform filter). */
  note?: string;
  /** Signatures, attestations, SBOMs (OCI referrers and cosign tags) copied, and found already there. */
  referrers?: ReferrerCounts;
}

/** A copy's result, and the manifests now at the target whose referrers follow the image. */
export interface CopiedImage {
  result: CopyResult;
  /** The manifest at the target tag and, for an index, every child it lists. */
  subjects: string[];
}

/** The result of an image the no-change check found up to date: nothing was read or written. */
export function upToDateResult(source: Reference, target: Reference, digest: string, started: number): CopyResult {
  return {
    status: 'skipped',
    source: source.toString(),
    target: target.toString(),
    digest,
    sourceDigest: digest,
    bytes: 0,
    blobsCopied: 0,
    blobsSkipped: 0,
    blobsMounted: 0,
    manifestsWritten: 0,
    durationMs: Date.now() - started,
  };
}

/**
 * Copies one image reference the no-change check (plan.ts, HEADs only) found to need copying,
 * from the manifests the resolve stage read (resolve.ts).
 * Order matters: everything the manifest references (blobs, child manifests) first, the manifest
 * at the target tag last, so a tag never points at incomplete content.
 */
export async function copyImage(input: ImageCopyInput): Promise<CopiedImage> {
  const started = Date.now();
  const { source, target, sourceRepo, targetRepo, resolved } = input;
  const shownSource = source.toString();
  const shownTarget = target.toString();
  const stats = new CopyStats();
  const result = (status: CopyResult['status'], digest: string, sourceDigest: string, subjects: string[], note?: string): CopiedImage => ({
    subjects,
    result: {
      status,
      source: shownSource,
      target: shownTarget,
      digest,
      sourceDigest,
      bytes: stats.bytes,
      blobsCopied: stats.blobsCopied,
      blobsSkipped: stats.blobsSkipped,
      blobsMounted: stats.blobsMounted,
      manifestsWritten: stats.manifestsWritten,
      durationMs: Date.now() - started,
      ...(note ? { note } : {}),
    },
  });

  const manifest = resolved.manifest;
  const ctx: TreeContext = {
    source: sourceRepo,
    target: targetRepo,
    targetName: shownTarget,
    blobs: input.blobs,
    stats,
    force: input.force,
    emit: input.emit,
    prefetched: resolved.children,
    stop: new TargetStop(shownTarget, input.emit),
  };
  // The target tag already holds `digest`, what the filter writes (never asked with --force).
  const held = async (digest: string): Promise<boolean> =>
    !input.force && (await targetRepo.headManifest(target.tag ?? digest))?.digest === digest;
  const selection =
    manifest.parsed.kind === 'index'
      ? selectPlatforms(manifest as FetchedManifest & { parsed: { kind: 'index' } }, input.platforms, shownSource, input.missingPlatforms)
      : { kind: 'whole' as const };

  // Nothing to write: the target tag is left as it was.
  if (selection.kind === 'none') return result('platform-skipped', manifest.digest, manifest.digest, [], selection.note);

  if (selection.kind === 'child') {
    const digest = selection.descriptor.digest;
    if (await held(digest)) return result('skipped', digest, manifest.digest, [digest]);
    const child = await fetchSourceOrTarget(sourceRepo, targetRepo, digest, `${shownSource}@${digest}`);
    await copyReferenced(ctx, child);
    await writeManifest(ctx, target.tag ?? digest, child.bytes, child.mediaType);
    return result(
      'copied',
      digest,
      manifest.digest,
      [digest],
      `platform filter: tagged the ${selection.descriptor.platform ? formatPlatform(selection.descriptor.platform) : ''} image ${digest} itself, not the index ${manifest.digest}`,
    );
  }
  if (selection.kind === 'subset') {
    const subjects = [selection.digest, ...selection.children.map((c) => c.digest)];
    if (await held(selection.digest)) return result('skipped', selection.digest, manifest.digest, subjects);
    await settleStopping(
      ctx,
      selection.children.map((c) => copyChild(ctx, c.digest)),
    );
    await writeManifest(ctx, target.tag ?? selection.digest, selection.bytes, selection.mediaType);
    return result(
      'copied',
      selection.digest,
      manifest.digest,
      subjects,
      `platform filter wrote a new index ${selection.digest} (source index is ${manifest.digest})`,
    );
  }
  if (manifest.parsed.kind === 'image' && input.platforms.length > 0) {
    const config = await sourceRepo.readBlob(manifest.parsed.config.digest, manifest.parsed.config.size);
    const skipped = checkImagePlatform(config, input.platforms, shownSource, input.missingPlatforms);
    if (skipped !== undefined) return result('platform-skipped', manifest.digest, manifest.digest, [], skipped);
  }
  const children = manifest.parsed.kind === 'index' ? manifest.parsed.manifests.map((c) => c.digest) : [];
  const subjects = [manifest.digest, ...children];
  // A filter that keeps the image whole: the no-change check could not compare (checked as `copy`), so compare now.
  if (input.platforms.length > 0 && (await held(manifest.digest))) return result('skipped', manifest.digest, manifest.digest, subjects);
  await copyReferenced(ctx, manifest);
  await writeManifest(ctx, target.tag ?? manifest.digest, manifest.bytes, manifest.mediaType);
  return result('copied', manifest.digest, manifest.digest, subjects);
}
