import {
  formatPlatform,
  parseManifest,
  type ContentRepository,
  type FetchedManifest,
  type MissingPlatforms,
  type Platform,
} from '../registry/index.js';
import { parseReference, type Reference } from '../reference/index.js';
import type { GroupEngine, Opened } from './grouped-copy.js';
import { upToDateResult, type CopyResult } from './image-copier.js';
import { checkImagePlatform, selectPlatforms } from './platform-selection.js';
import { fetchSource } from './resolve.js';
import { targetHolds } from './target-holds.js';

/** What a grouped copy writes at every destination, its platform filter applied once for all of them. */
export type GroupWrite =
  /** None of the platforms asked for (`missing: skip`): nothing is written anywhere, `note` says why. */
  | { kind: 'skip'; note: string }
  | {
      kind: 'write';
      /** The source image or index, the one child a filter kept, or the new index of the children it kept. */
      manifest: FetchedManifest;
      /** The manifests at the target tag whose referrers follow (the written one and the children it lists). */
      subjects: string[];
      /** Set when the filter made the written digest differ from the source's (as image-copier.ts says it). */
      note?: string;
    };

const whole = (manifest: FetchedManifest): GroupWrite => ({
  kind: 'write',
  manifest,
  subjects: [manifest.digest, ...(manifest.parsed.kind === 'index' ? manifest.parsed.manifests.map((c) => c.digest) : [])],
});

/**
 * A platform filter applied once for a whole group, exactly as image-copier.ts applies it to one
 * copy: the source index's selection (its kept child read once, or a new index of the kept
 * children), or a single-platform image's config read once. Throws as that copy would (a platform
 * missing with `missing: fail`).
 */
export async function groupWrite(
  source: ContentRepository,
  manifest: FetchedManifest,
  platforms: readonly Platform[],
  missing: MissingPlatforms | undefined,
  shown: string,
): Promise<GroupWrite> {
  if (platforms.length === 0) return whole(manifest);
  const parsed = manifest.parsed;
  if (parsed.kind === 'image') {
    const config = await source.readBlob(parsed.config.digest, parsed.config.size);
    const note = checkImagePlatform(config, platforms, shown, missing);
    return note === undefined ? whole(manifest) : { kind: 'skip', note };
  }
  const selection = selectPlatforms(manifest as FetchedManifest & { parsed: { kind: 'index' } }, platforms, shown, missing);
  if (selection.kind === 'none') return { kind: 'skip', note: selection.note };
  if (selection.kind === 'whole') return whole(manifest);
  if (selection.kind === 'child') {
    const { digest, platform } = selection.descriptor;
    const child = await fetchSource(source, digest, `${shown}@${digest}`);
    const note = `platform filter: tagged the ${platform ? formatPlatform(platform) : ''} image ${digest} itself, not the index ${manifest.digest}`;
    return { kind: 'write', manifest: child, subjects: [digest], note };
  }
  const subset: FetchedManifest = {
    bytes: selection.bytes,
    digest: selection.digest,
    mediaType: selection.mediaType,
    parsed: parseManifest(selection.bytes, selection.mediaType),
  };
  return {
    kind: 'write',
    manifest: subset,
    subjects: [selection.digest, ...selection.children.map((c) => c.digest)],
    note: `platform filter wrote a new index ${selection.digest} (source index is ${manifest.digest})`,
  };
}

/**
 * The destinations that already hold what a platform filter writes, at their tag (HEADs only). Not
 * asked without a filter (the no-change check compared already), but asked when the filter keeps
 * the image whole: such an image checked as `copy` without comparing.
 */
export async function upToDate(checked: readonly Opened[], written: string, filtered: boolean, force: boolean): Promise<boolean[]> {
  if (!filtered) return checked.map(() => false);
  // A destination whose HEAD failed is not held: it is copied, and its copy reports what is wrong.
  return Promise.all(checked.map((one) => targetHolds(one.targetRepo, one.target, written, force).catch(() => false)));
}

/** A destination that holds the filtered image already: up to date, its referrers followed, as the engine's plain copy says it. */
export async function filteredUpToDate(
  one: Opened,
  source: Reference,
  sourceDigest: string,
  write: GroupWrite & { kind: 'write' },
  began: number,
  engine: GroupEngine,
): Promise<CopyResult> {
  const result: CopyResult = { ...upToDateResult(source, one.target, write.manifest.digest, began), sourceDigest };
  if (one.member.task.referrers !== false) {
    const image = { ...one, task: one.member.task, run: one.member.run, source, digest: sourceDigest, written: write.manifest.digest };
    result.referrers = await engine.referrers(image, () => Promise.resolve(write.subjects));
  }
  const referrers = result.referrers ? { referrers: result.referrers } : {};
  one.emit({
    type: 'image-skipped',
    source: result.source,
    target: result.target,
    digest: result.digest,
    reason: 'up-to-date',
    ...referrers,
    time: Date.now(),
  });
  return result;
}

/** Every destination skipped for its platforms: nothing written, nothing of it followed, as the engine's plain copy says it. */
export function platformSkipped(one: Opened, shown: string, digest: string, note: string): CopyResult {
  const target = one.target.toString();
  one.emit({ type: 'image-skipped', source: shown, target, digest, reason: 'platform', note, time: Date.now() });
  return { ...upToDateResult(parseReference(shown), one.target, digest, Date.now()), status: 'platform-skipped', note };
}
