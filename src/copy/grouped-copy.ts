import { CancelledError, errorInfo } from '../errors/index.js';
import { parseReference, Reference } from '../reference/index.js';
import { parsePlatform, referencedBlobs, type ContentRepository, type FetchedManifest } from '../registry/index.js';
import type { BlobCopier } from './blob-copier.js';
import { checkImage, type ImageCheck } from './check-image.js';
import { CopyStats } from './copy-stats.js';
import type { CopyTask } from './copy-task.js';
import type { CopyRunOptions } from './copy-run-options.js';
import { ignoreEvents, type CopyEventListener, type ReferrerCounts } from './events.js';
import type { OpenRepositories } from './open-repositories.js';
import { filteredUpToDate, groupWrite, platformSkipped, upToDate, type GroupWrite } from './grouped-platforms.js';
import { copyTreeToMany, failTarget, type GroupTarget } from './grouped-tree.js';
import type { CopyResult } from './image-copier.js';
import { imageDoneEvent } from './image-done.js';
import type { Limiter } from './limiter.js';
import { fetchSource } from './resolve.js';
import { TargetStop } from './target-stop.js';
import { withSourceTag } from './target-defaults.js';

/** One destination of a grouped copy: its task (same source as the others) and its own run options and listener. */
export interface GroupMember {
  task: CopyTask;
  run: CopyRunOptions;
}

/** An image whose referrers may follow it (the engine's referrers step), copied alone or in a group. */
export interface FollowedImage {
  task: CopyTask;
  source: Reference;
  target: Reference;
  sourceRepo: ContentRepository;
  targetRepo: ContentRepository;
  /** The source image's digest. */
  digest: string;
  /** What was written at the target tag, when a platform filter made it differ from `digest`. */
  written?: string;
  run: CopyRunOptions;
  emit: CopyEventListener;
}

/**
 * The engine's referrers step: what follows an image, for the manifests `subjects` and, for an
 * up-to-date index, its `children` (read only when one could have referrers: follow.ts).
 */
export type ReferrersStep = (
  image: FollowedImage,
  subjects: () => Promise<string[]>,
  children?: () => Promise<readonly string[]>,
) => Promise<ReferrerCounts>;

/** The engine's parts a grouped copy uses: its limits, its blob copier, and its plain copy for what is not grouped. */
export interface GroupEngine {
  copy: (task: CopyTask, run: CopyRunOptions) => Promise<CopyResult>;
  repositories: OpenRepositories;
  images: Limiter;
  checks: Limiter;
  blobs: BlobCopier;
  referrers: ReferrersStep;
}

/** A destination whose repositories are open (grouped-platforms.ts reports on it too). */
export interface Opened {
  member: GroupMember;
  target: Reference;
  emit: CopyEventListener;
  sourceRepo: ContentRepository;
  targetRepo: ContentRepository;
}

/** What every step of one grouped copy shares: its source (and that source as events show it), its `force`, the engine. */
interface GroupSource {
  source: Reference;
  shown: string;
  force: boolean;
  engine: GroupEngine;
}

/** The platform filter of a task, as a group compares it. */
const filterOf = (task: CopyTask): string => JSON.stringify([task.platforms ?? [], task.missingPlatforms ?? '']);

/** Grouped: same source, same platform filter (applied once for all), same force, no layout delta. */
function groupable(members: readonly GroupMember[]): boolean {
  const first = members[0]?.task;
  return (
    first !== undefined &&
    members.length > 1 &&
    members.every(({ task }) => task.source === first.source && filterOf(task) === filterOf(first) && task.since === undefined) &&
    members.every(({ task }) => (task.force === true) === (first.force === true))
  );
}

/**
 * One source image to several destinations, read once: one image slot (it counts once against
 * the image limit), the source manifest read once, each blob streamed once from the source and
 * teed into every destination that lacks it (grouped-tree.ts). Each destination hears its own
 * events and gets its own result, as a plain copy's; one that fails (its upload, its manifest)
 * fails alone and is never tagged. Destinations already up to date, or that cannot be checked,
 * take the plain path (engine.copy), which reports them as it always does.
 */
export async function copyGroup(members: readonly GroupMember[], engine: GroupEngine): Promise<Array<PromiseSettledResult<CopyResult>>> {
  const alone = (member: GroupMember): Promise<CopyResult> => engine.copy(member.task, member.run);
  if (!groupable(members)) return Promise.allSettled(members.map(alone));
  const results = new Map<GroupMember, Promise<CopyResult>>();
  const source = parseReference((members[0] as GroupMember).task.source);
  const force = (members[0] as GroupMember).task.force === true;
  const group: GroupSource = { source, shown: source.toString(), force, engine };
  const opened: Opened[] = [];
  await Promise.all(
    members.map(async (member) => {
      try {
        const target = withSourceTag(source, parseReference(member.task.target));
        const emit = member.run.onEvent ?? ignoreEvents;
        opened.push({ member, target, emit, ...(await engine.repositories(source, target, member.task, emit, member.run.signal)) });
      } catch {
        results.set(member, alone(member));
      }
    }),
  );
  const toCopy = await checkAll(group, opened);
  for (const one of opened) if (!toCopy.checked.includes(one)) results.set(one.member, alone(one.member));
  if (toCopy.checked.length === 1) results.set((toCopy.checked[0] as Opened).member, alone((toCopy.checked[0] as Opened).member));
  if (toCopy.checked.length > 1) {
    const grouped = copyChecked(group, toCopy.digest, toCopy.manifest, toCopy.checked);
    toCopy.checked.forEach((one, i) =>
      results.set(
        one.member,
        grouped.then((all) => all[i] as Promise<CopyResult>),
      ),
    );
  }
  return Promise.allSettled(members.map((member) => results.get(member) ?? alone(member)));
}

/** The no-change check of every destination, the source asked once: those that need the image copied. */
async function checkAll(
  group: GroupSource,
  opened: readonly Opened[],
): Promise<{ checked: Opened[]; digest: string; manifest?: FetchedManifest | undefined }> {
  const { source, force, engine } = group;
  const first = opened[0];
  if (!first) return { checked: [], digest: '' };
  // A filtered image's target digest is only known once the filter is applied (copyChecked): it checks as `copy`.
  const options = { filtered: (first.member.task.platforms ?? []).length > 0, force };
  let lead: ImageCheck;
  try {
    lead = await engine.checks.run(() => checkImage(source, first.target, first.sourceRepo, first.targetRepo, options));
  } catch {
    return { checked: [], digest: '' };
  }
  // The others compare with the digest the source gave: the source is not asked again.
  const pinned = new Reference(source.registry, source.repository, source.tag, lead.digest);
  const rest = await Promise.all(
    opened
      .slice(1)
      .map((one) =>
        engine.checks.run(() => checkImage(pinned, one.target, one.sourceRepo, one.targetRepo, options)).catch(() => undefined),
      ),
  );
  const checks = [lead, ...rest];
  return { checked: opened.filter((_, i) => checks[i]?.action === 'copy'), digest: lead.digest, manifest: lead.manifest };
}

/** The grouped transfer itself, under one image slot; one promise per destination, in order. */
async function copyChecked(
  group: GroupSource,
  digest: string,
  known: FetchedManifest | undefined,
  checked: readonly Opened[],
): Promise<Array<Promise<CopyResult>>> {
  const { source, shown, force, engine } = group;
  const lead = checked[0] as Opened;
  const task = lead.member.task;
  let sourceManifest: FetchedManifest;
  let write: GroupWrite;
  try {
    sourceManifest = known ?? (await fetchSource(lead.sourceRepo, digest, shown));
    write = await groupWrite(lead.sourceRepo, sourceManifest, (task.platforms ?? []).map(parsePlatform), task.missingPlatforms, shown);
  } catch {
    return checked.map((one) => engine.copy(one.member.task, one.member.run));
  }
  if (write.kind === 'skip') return checked.map((one) => Promise.resolve(platformSkipped(one, shown, sourceManifest.digest, write.note)));
  const began = Date.now();
  const fresh = await upToDate(checked, write.manifest.digest, (task.platforms ?? []).length > 0, force);
  const toWrite = checked.filter((_, i) => !fresh[i]);
  const written = toWrite.length > 0 ? await writeMany(group, sourceManifest.digest, write, toWrite) : [];
  return checked.map((one, i) =>
    fresh[i]
      ? filteredUpToDate(one, source, sourceManifest.digest, write, began, engine)
      : (written[toWrite.indexOf(one)] as Promise<CopyResult>),
  );
}

/** The grouped transfer of what the filter left (or the whole image) to `checked`, under one image slot; one promise per destination, in order. */
async function writeMany(
  group: GroupSource,
  sourceDigest: string,
  write: GroupWrite & { kind: 'write' },
  checked: readonly Opened[],
): Promise<Array<Promise<CopyResult>>> {
  const { source, shown, force, engine } = group;
  const lead = checked[0] as Opened;
  const manifest = write.manifest;
  const bytes = manifest.parsed.kind === 'image' ? referencedBlobs(manifest.parsed).reduce((sum, b) => sum + Math.max(0, b.size), 0) : 0;
  const release = await engine.images.acquire(bytes);
  try {
    const began = Date.now();
    const targets: GroupTarget[] = checked.map((one) => ({
      repo: one.targetRepo,
      name: one.target.toString(),
      reference: one.target.tag ?? manifest.digest,
      emit: one.emit,
      stats: new CopyStats(),
      stop: new TargetStop(one.target.toString(), one.emit),
    }));
    for (const [i, one] of checked.entries()) {
      const stopped = CancelledError.ifAborted([one.member.run.signal, one.member.run.drain], one.target.toString());
      if (stopped) failTarget(targets[i] as GroupTarget, stopped);
      else one.emit({ type: 'image-started', source: shown, target: one.target.toString(), time: Date.now() });
    }
    await copyTreeToMany(lead.sourceRepo, manifest, targets, engine.blobs, force);
    const done = checked.map(async (one, i) => {
      const target = targets[i] as GroupTarget;
      // Thrown as it came (a typed error, or the CancelledError of a stop).
      if (target.failed !== undefined) throw failedCopy(one, shown, target.failed);
      const result: CopyResult = {
        status: 'copied',
        source: shown,
        target: target.name,
        digest: manifest.digest,
        sourceDigest,
        bytes: target.stats.bytes,
        blobsCopied: target.stats.blobsCopied,
        blobsSkipped: target.stats.blobsSkipped,
        blobsMounted: target.stats.blobsMounted,
        manifestsWritten: target.stats.manifestsWritten,
        durationMs: Date.now() - began,
        ...(write.note ? { note: write.note } : {}),
      };
      if (one.member.task.referrers !== false) {
        const image = { ...one, task: one.member.task, run: one.member.run, source, digest: sourceDigest, written: manifest.digest };
        result.referrers = await engine.referrers(image, () => Promise.resolve(write.subjects));
      }
      one.emit(imageDoneEvent(result, Date.now()));
      return result;
    });
    // The slot is held until every destination has its result (referrers included).
    await Promise.allSettled(done);
    return done;
  } finally {
    release();
  }
}

/** A destination that failed: reported as the engine reports one (cancelled once its run was stopped). */
function failedCopy(one: Opened, shown: string, error: unknown): unknown {
  const target = one.target.toString();
  const cancelled = CancelledError.ifAborted([one.member.run.signal], target, error);
  if (cancelled) {
    one.emit({ type: 'image-cancelled', source: shown, target, started: true, time: Date.now() });
    return cancelled;
  }
  one.emit({ type: 'image-failed', source: shown, target, error: errorInfo(error), time: Date.now() });
  return error;
}
