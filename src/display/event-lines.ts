import type { DropCounts, LoadEvent, RuleSelected } from '../load/events.js';
import type { ImageCounts } from '../load/run-counts.js';
import { formatBytes, formatDuration, shortDigest } from './units.js';

const task = (e: { source: string; target: string }): string => `${e.source} -> ${e.target}`;

export interface DescribeOptions {
  /** Name every repository and tag a rule's filters dropped, with the reason (`load -v`). */
  verbose?: boolean | undefined;
}

/**
 * The human text of one event, without time or registry prefix; several lines when the event
 * carries a stderr tail. Undefined for events too noisy or too internal to print
 * (blob-started, blob-progress). The one place run and copy events become text: the plain log,
 * the live view's lines above its block, `copy -v` and the server's log all print what this
 * returns (the server adds its own events in describe-server-event.ts).
 */
export function describeEvent(event: LoadEvent, options: DescribeOptions = {}): string[] | undefined {
  switch (event.type) {
    case 'run-started':
      return [
        `run started: ${event.registries.length} ${event.registries.length === 1 ? 'registry' : 'registries'} (${event.registries.join(', ')})${event.dryRun ? ', dry run' : ''}`,
      ];
    case 'registry-started':
      return ['started'];
    case 'registry-listed':
      return [`listed ${event.images} ${event.images === 1 ? 'image' : 'images'}`];
    case 'registry-script-failed':
      // Its stderr once, under the line: the message itself does not repeat it.
      return [
        `FAILED ${event.message}${event.stderrTail.length > 0 ? '; its stderr ended with:' : ''}`,
        ...event.stderrTail.map((line) => `    | ${line}`),
      ];
    case 'registry-line-invalid':
      return [`${invalidLineSubject(event)}: ${event.message}`];
    case 'rule-selected':
      return ruleSelectedLines(event, options.verbose === true);
    case 'selection-problem':
      return [`${event.severity}: ${event.message}`];
    case 'repositories-found':
    case 'tags-found':
    case 'repository-selected':
      // Progress: the live view counts it; a line per page would drown the log.
      return undefined;
    case 'image-planned':
      if (event.action === 'copy') return [`would copy ${task(event)}${plannedReferrers(event.referrers, ', with')}`];
      if (event.action === 'skip') return [`would skip ${task(event)}: ${event.note ?? 'none of the platforms asked for'}`];
      if (event.action === 'up-to-date') return [`up to date ${task(event)}${plannedReferrers(event.referrers, '; would copy')}`];
      return [`error ${task(event)}: ${event.message ?? 'unknown error'}`];
    case 'registry-finished':
      return [
        `${verdict(event)}: ${imageCountsPhrase(event)}${listProblems(event)}, ${formatBytes(event.bytes)} in ${formatDuration(event.durationMs)}`,
      ];
    case 'run-finished':
      return [`run ${verdict(event)}`];
    case 'warning':
      return [`warning: ${event.message}`];
    case 'prune':
      return [pruneLine(event)];
    case 'image-retry-pass':
      return [
        `retry pass ${event.pass} of ${event.passes}: trying ${event.images.length} failed image${event.images.length === 1 ? '' : 's'} again: ${event.images.map((i) => i.target).join(', ')}`,
      ];
    case 'run-stopping':
      return event.abortNow
        ? [`${event.signal} again: aborting the copies under way (their target tags stay as they were)`]
        : [`${event.signal} received: no further image starts; letting the running copies finish (${event.signal} again aborts them)`];
    case 'image-started':
      return [`copying ${task(event)}`];
    case 'image-skipped':
      if (event.reason === 'platform') return [`skipped ${task(event)}: ${event.note ?? 'none of the platforms asked for'}`];
      return [`up to date ${task(event)} (${shortDigest(event.digest)})`];
    case 'image-done':
      return [`copied ${task(event)} (${imageDoneDetails(event)})`];
    case 'image-failed':
      return [`FAILED ${task(event)}: ${event.error.message}`];
    case 'image-cancelled':
      return [
        `${event.started ? 'cancelled' : 'not started'} ${task(event)}: the run is stopping${event.started ? ', target tag left as it was' : ''}`,
      ];
    case 'target-failed':
      return [`failed ${event.target}: ${event.error.message}; stopped what was still on its way there`];
    case 'manifest-written':
      return [`wrote manifest ${shortDigest(event.digest)} to ${event.target} (${event.mediaType})`];
    case 'blob-skipped':
      return [`blob ${shortDigest(event.digest)} (${formatBytes(event.size)}) already in ${event.target}`];
    case 'blob-mounted':
      return [`blob ${shortDigest(event.digest)} (${formatBytes(event.size)}) mounted from ${event.from} into ${event.target}`];
    case 'blob-mount-failed':
      return [
        `blob ${shortDigest(event.digest)} (${formatBytes(event.size)}) could not be mounted from ${event.from} into ${event.target} (${event.reason}); streaming it instead`,
      ];
    case 'blob-resumed':
      return [
        `blob ${shortDigest(event.digest)} (${formatBytes(event.size)}) to ${event.target}: ${event.side} connection broke (${event.reason}); resumed at ${formatBytes(event.offset)}`,
      ];
    case 'blob-done':
      return [
        `blob ${shortDigest(event.digest)} (${formatBytes(event.size)}) copied to ${event.target} in ${formatDuration(event.durationMs)}`,
      ];
    case 'retry':
      return [`retrying ${event.method} ${event.url} (attempt ${event.attempt}) in ${formatDuration(event.delayMs)}: ${event.reason}`];
    case 'digest-fallback':
      return [`${event.reference}: the registry sent no Docker-Content-Digest on HEAD; read the manifest with GET instead`];
    case 'host-paused':
      return [hostPausedLine(event)];
    case 'host-resumed':
      return [
        `${event.host}: requests go again after ${formatDuration(event.pausedMs)} (${event.reason === 'quota' ? 'the pull quota allows' : 'the 429 pause is over'})`,
      ];
    case 'referrer-copied':
      return [
        `${event.via === 'cosign-tag' ? `cosign tag ${event.tag ?? ''}` : 'referrer'} ${shortDigest(event.digest)} (${event.artifactType}) of ${shortDigest(event.subject)} copied to ${event.target}`,
      ];
    case 'referrers-index-written':
      return [`wrote referrers tag ${event.tag} (${event.entries} referrers) of ${shortDigest(event.subject)} to ${event.target}`];
    case 'referrers-not-applicable':
      return [
        `${event.count > 0 ? `${event.count} ` : ''}referrers of ${shortDigest(event.subject)} not copied to ${event.target}: ${event.reason}`,
      ];
    case 'referrers-not-listed':
      return [
        `warning: could not list ${unlisted(event)} (${event.error.message}); ${event.target} is copied without what that would have found`,
      ];
    case 'referrer-failed':
      return [
        `warning: ${event.tag ? `tag ${event.tag}` : `referrer ${shortDigest(event.digest ?? '')}`} of ${shortDigest(event.subject)} not copied to ${event.target}: ${event.error.message}`,
      ];
    case 'blob-started':
    case 'blob-progress':
    case 'host-quota':
      return undefined;
    default: {
      // Every event type needs a decision here: a new engine event (a HEAD that fell back to GET,
      // a mount that fell back to streaming, ...) gets its line above, and with it shows in plain
      // and JSON logs, `copy -v` and the verbose live view. Until then TypeScript stops here.
      const unhandled: never = event;
      return unhandled;
    }
  }
}

function pruneLine(event: Extract<LoadEvent, { type: 'prune' }>): string {
  const seen = `last seen ${new Date(event.lastSeenAt).toISOString()}`;
  const why = `${event.rule}, source ${event.source}: ${event.reason}`;
  const referrers = event.referrers ? `, with its referrers ${event.referrers.join(', ')}` : '';
  switch (event.action) {
    case 'deleted':
      return `pruned ${event.target} (${shortDigest(event.digest)}${referrers}): ${why}; ${seen}`;
    case 'would-delete':
      return `would prune ${event.target} (${shortDigest(event.digest)}${referrers}): ${why}; ${seen}`;
    case 'kept':
      return `not pruned ${event.target}: ${why}`;
    case 'released':
      return `no longer ours ${event.target}: ${event.reason}`;
    case 'failed':
      return `FAILED to prune ${event.target} (${event.rule}): ${event.reason}`;
  }
}

/** What a `referrers-not-listed` warning could not read, in words. */
function unlisted(event: Extract<LoadEvent, { type: 'referrers-not-listed' }>): string {
  const where = `${event.place}/${event.repository}`;
  if (event.listing === 'tags') return `the tags of ${where} to find the cosign signatures of ${shortDigest(event.subject)}`;
  if (event.listing === 'referrers-tag') return `the referrers of ${shortDigest(event.subject)} at ${where} (its fallback tag)`;
  return `the referrers of ${shortDigest(event.subject)} at ${where}`;
}

function hostPausedLine(event: Extract<LoadEvent, { type: 'host-paused' }>): string {
  if (event.reason === 'rate-limited') {
    const again = event.lengthened ? ' again during its pause' : '';
    return `${event.host}: answered 429 Too Many Requests${again}: every request to it waits ${formatDuration(event.waitMs)}${event.retryAfter ? ' (its Retry-After)' : ''}`;
  }
  const of = event.limit === undefined ? '' : ` of ${event.limit}`;
  const per = event.windowSeconds === undefined ? '' : ` per ${formatDuration(event.windowSeconds * 1000)}`;
  return `${event.host}: ${event.remaining}${of} pulls left${per}, the reserve is ${event.reserve} (quotaReserve): manifest GETs wait for the quota, each at most ${formatDuration(event.maxWaitMs)} (quotaWaitSeconds)`;
}

/** ` , with 2 referrers (1 application/spdx+json, 1 cosign .sig)`: what a dry run would copy beside the image. */
export function plannedReferrers(counts: Record<string, number> | undefined, lead: string): string {
  // By type name: the listings answer in whatever order they finish.
  const entries = Object.entries(counts ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '';
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${lead} ${total} ${total === 1 ? 'referrer' : 'referrers'} (${entries.map(([type, n]) => `${n} ${type}`).join(', ')})`;
}

/** How a registry or run ended: a stop that left images uncopied is not called a failure. */
function verdict(event: { ok: boolean; cancelled: number }): string {
  const stopped = event.cancelled > 0;
  if (event.ok) return stopped ? 'stopped before the end' : 'finished ok';
  return stopped ? 'stopped before the end, with FAILURES' : 'finished with FAILURES';
}

/**
 * `N copied, N up to date, N failed`, with `N skipped (platform)` when a platform filter left some out
 * and `, N cancelled` when a stop left some: how the images of a
 * registry or run went, in every output that says it in a line. `first` replaces the copied count
 * (a dry run's `N would copy`).
 */
export function imageCountsPhrase(counts: ImageCounts, first = `${counts.copied} copied`): string {
  const skipped = counts.skipped ? `${counts.skipped} skipped (platform), ` : '';
  return `${first}, ${counts.upToDate} up to date, ${skipped}${counts.failed} failed${cancelledCount(counts)}`;
}

/** `, N cancelled`, only when a stop left some: a normal run's line stays as it was. */
function cancelledCount(counts: { cancelled: number }): string {
  return counts.cancelled > 0 ? `, ${counts.cancelled} cancelled` : '';
}

/** `, 1 syncer script failed` / `, 2 invalid lines` / `, 1 selection error`, only when there are: counted apart from images. */
export function listProblems(counts: {
  scriptFailures?: number | undefined;
  invalidLines?: number | undefined;
  selectionErrors?: number | undefined;
}): string {
  const script = counts.scriptFailures ?? 0;
  const lines = counts.invalidLines ?? 0;
  const selection = counts.selectionErrors ?? 0;
  return `${script > 0 ? `, ${scriptCount(script)}` : ''}${lines > 0 ? `, ${plural(lines, 'invalid line')}` : ''}${selection > 0 ? `, ${plural(selection, 'selection error')}` : ''}`;
}

/** `1 dropped by exclude, 2 by latest`, in filter order; '' when nothing was dropped. */
function droppedPhrase(dropped: DropCounts): string {
  const parts = Object.entries(dropped).map(([filter, n], i) => (i === 0 ? `${n} dropped by ${filter}` : `${n} by ${filter}`));
  return parts.join(', ');
}

/**
 * What a listing rule selected, the dry run's detail per rule:
 * `mirrors[0] reg:5000/team/: 2 repositories (1 dropped by exclude), 6 tags, 4 selected (2 dropped by latest)`;
 * verbose, a line per repository and tag dropped, with the filter and why.
 */
function ruleSelectedLines(event: RuleSelected, verbose: boolean): string[] {
  const repositoriesDropped = droppedPhrase(event.repositories.dropped);
  const repositories =
    event.kind === 'repository'
      ? ''
      : `${event.repositories.kept} ${event.repositories.kept === 1 ? 'repository' : 'repositories'}${repositoriesDropped ? ` (${repositoriesDropped})` : ''}, `;
  const tagsDropped = droppedPhrase(event.tags.dropped);
  const head = `${event.rule} ${event.source}: ${repositories}${plural(event.tags.listed, 'tag')}, ${event.tags.kept} selected${tagsDropped ? ` (${tagsDropped})` : ''}`;
  if (!verbose) return [head];
  return [
    head,
    ...event.droppedRepositories.map((d) => `    dropped repository ${d.repository} by ${d.filter}: ${d.reason}`),
    ...event.droppedTags.map((d) => `    dropped ${d.repository}:${d.tag} by ${d.filter}: ${d.reason}`),
  ];
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function scriptCount(n: number): string {
  return `${plural(n, 'syncer script')} failed`;
}

export function invalidLineSubject(event: { line: number; text: string }): string {
  return `line ${event.line}: ${JSON.stringify(event.text)}`;
}

function imageDoneDetails(event: Extract<LoadEvent, { type: 'image-done' }>): string {
  const parts = [
    `${event.blobsCopied} ${event.blobsCopied === 1 ? 'blob' : 'blobs'}`,
    formatBytes(event.bytes),
    formatDuration(event.durationMs),
  ];
  if (event.blobsSkipped > 0) parts.push(`${event.blobsSkipped} already present`);
  if (event.blobsMounted > 0) parts.push(`${event.blobsMounted} mounted`);
  return parts.join(', ');
}

/** The registry an event belongs to, if any ('' from the engine means "not known"). */
export function registryOf(event: LoadEvent): string | undefined {
  return 'registry' in event && event.registry ? event.registry : undefined;
}
