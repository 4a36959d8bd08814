import { referencedBlobs, type ContentRepository, type FetchedManifest } from '../registry/index.js';
import type { BlobCopier } from './blob-copier.js';
import type { CopyStats } from './copy-stats.js';
import type { CopyEventListener } from './events.js';
import { presentAtTarget, writeManifest, type TreeContext } from './manifest-tree.js';
import type { TargetStop } from './target-stop.js';

/** One destination of a grouped copy: where it writes, what it moved, and why it failed (then it writes nothing more). */
export interface GroupTarget {
  repo: ContentRepository;
  /** As the target is shown (its events' `target`). */
  name: string;
  /** The tag (or digest) the image manifest is written at. */
  reference: string;
  emit: CopyEventListener;
  stats: CopyStats;
  /** Cuts what still streams to this target once it failed (the others go on). */
  stop: TargetStop;
  failed?: unknown;
}

/** The target's first failure counts: it is marked failed and whatever still streams to it is cut at once. */
export function failTarget(target: GroupTarget, error: unknown): void {
  target.failed ??= error;
  target.stop.fail(target.failed);
}

const live = (targets: readonly GroupTarget[]): GroupTarget[] => targets.filter((t) => t.failed === undefined);

/** What every step of one grouped copy shares: where it reads, the blob copier, and whether it rewrites what is present. */
interface GroupCopy {
  source: ContentRepository;
  blobs: BlobCopier;
  force: boolean;
}

function contextOf({ source, blobs, force }: GroupCopy, target: GroupTarget): TreeContext {
  return { source, target: target.repo, targetName: target.name, blobs, stats: target.stats, force, emit: target.emit };
}

/**
 * Copies `manifest` (read once from `source`) to every target at once: each blob is read once for
 * all the targets that lack it (BlobCopier.copyToMany), each child manifest of an index fetched
 * once. A target that fails anywhere is marked failed and left out of what follows; the others go
 * on. Manifest last, per target: a target whose content did not all arrive is never tagged.
 */
export async function copyTreeToMany(
  source: ContentRepository,
  manifest: FetchedManifest,
  targets: readonly GroupTarget[],
  blobs: BlobCopier,
  force: boolean,
): Promise<void> {
  const copy: GroupCopy = { source, blobs, force };
  await referencedToMany(copy, manifest, live(targets));
  await writeAll(copy, live(targets), (t) => t.reference, manifest, false);
}

async function writeAll(
  copy: GroupCopy,
  targets: readonly GroupTarget[],
  reference: (target: GroupTarget) => string,
  manifest: FetchedManifest,
  child: boolean,
): Promise<void> {
  await Promise.all(
    targets.map((target) =>
      writeManifest(contextOf(copy, target), reference(target), manifest.bytes, manifest.mediaType, { child }).then(
        () => undefined,
        (error: unknown) => failTarget(target, error),
      ),
    ),
  );
}

async function referencedToMany(copy: GroupCopy, manifest: FetchedManifest, targets: readonly GroupTarget[]): Promise<void> {
  const { source, blobs, force } = copy;
  const parsed = manifest.parsed;
  if (parsed.kind === 'image') {
    await Promise.all(
      referencedBlobs(parsed).map(async (blob) => {
        const going = live(targets);
        const callers = going.map((t) => ({ repo: t.repo, caller: { targetName: t.name, emit: t.emit, signal: t.stop.signal } }));
        const outcomes = blobs.copyToMany(source, callers, blob);
        await Promise.all(
          outcomes.map((outcome, i) => {
            const target = going[i] as GroupTarget;
            return outcome.then(
              (done) => target.stats.add(done),
              (error: unknown) => failTarget(target, error),
            );
          }),
        );
      }),
    );
    return;
  }
  await Promise.all(
    parsed.manifests.map(async ({ digest }) => {
      // A child the target holds by digest is complete there (a registry took it whole).
      const present = await Promise.all(
        live(targets).map(async (target) => {
          try {
            return (await presentAtTarget(target.repo, digest, force)) ? undefined : target;
          } catch (error) {
            failTarget(target, error);
            return undefined;
          }
        }),
      );
      const needing = present.filter((t): t is GroupTarget => t !== undefined);
      if (needing.length === 0) return;
      let child: FetchedManifest;
      try {
        child = await source.getManifest(digest);
      } catch (error) {
        for (const target of needing) failTarget(target, error);
        return;
      }
      await referencedToMany(copy, child, needing);
      await writeAll(copy, live(needing), () => digest, child, true);
    }),
  );
}
