import type { ReferrerCounts } from '../copy/index.js';
import type { LoadEvent } from '../load/events.js';
import { RunCounter } from '../load/run-counts.js';
import { scriptFailureSummary } from '../load/run-outcome.js';

/** One image being copied right now. */
export interface ActiveImage {
  registry: string;
  source: string;
  target: string;
  startedAt: number;
  /** Sizes of every blob seen so far (the total grows as the manifests are walked). */
  totalBytes: number;
  /** Bytes of blobs finished, already present or mounted, plus those streamed so far. */
  doneBytes: number;
  /** Bytes actually streamed, the basis of the rate. */
  streamedBytes: number;
}

export interface RegistryState {
  name: string;
  status: 'pending' | 'active' | 'finished';
  ok: boolean;
  /** How many images the syncer listed; undefined until it has. */
  listed: number | undefined;
  copied: number;
  upToDate: number;
  failed: number;
  /** Images a stop left uncopied. */
  cancelled: number;
  /** Lines of the syncer script that were not references (counted apart from images). */
  invalidLines: number;
  /** Selection problems of severity `error` (counted apart from images, like invalid lines). */
  selectionErrors: number;
  wouldCopy: number;
  /** Bytes moved for this registry: finished images plus what active ones streamed. */
  bytes: number;
  scriptError: string | undefined;
  /** While its rules list (before `listed`): repositories and tags found so far. */
  listing: { repositories: number; tags: number } | undefined;
  /** Signatures, attestations and SBOMs that followed its finished images. */
  referrers: ReferrerCounts;
}

/** A snapshot to draw: plain data, so rendering is a pure function of it. */
export interface LiveView {
  now: number;
  startedAt: number;
  dryRun: boolean;
  registries: RegistryState[];
  /** Active images in start order; finished ones are gone. */
  images: ActiveImage[];
  totals: { done: number; listed: number; bytes: number };
}

/** `done`: skipped, mounted or streamed to the end; `streamed`: sent by us, so it counts for rates. */
interface BlobState {
  size: number;
  transferred: number;
  done: boolean;
  streamed: boolean;
}

/** What the model keeps of a registry: its counts live in a RunCounter, its bytes added at view time. */
interface RegistryTrack {
  name: string;
  status: RegistryState['status'];
  ok: boolean;
  listed: number | undefined;
  scriptError: string | undefined;
  /** Its images and list problems; `bytes` holds finished images' (active ones add theirs at view time). */
  counts: RunCounter;
  /** Listing progress per rule; undefined until a rule lists. */
  listing: Map<string, RuleListing> | undefined;
}

/** What one rule has found so far: its catalog's selected repositories (if it reads one), the repositories and tags listed. */
interface RuleListing {
  catalogSelected: number | undefined;
  repositories: Set<string>;
  tags: number;
}

interface ImageState {
  registry: string;
  source: string;
  target: string;
  startedAt: number;
  blobs: Map<string, BlobState>;
}

/**
 * The live display's state, fed event by event. Pure: no clock, no output. Images are keyed by
 * registry and target because several registries copy at once and their events interleave.
 */
export class LiveModel {
  #registries = new Map<string, RegistryTrack>();
  #images = new Map<string, ImageState>();
  #startedAt: number | undefined;
  #dryRun = false;

  apply(event: LoadEvent): void {
    if (event.type === 'run-started') {
      this.#reset();
      this.#dryRun = event.dryRun;
      for (const name of event.registries) this.#registries.set(name, newRegistry(name));
    }
    // A host's quota and pauses belong to no registry of the run (their lines print above the block).
    if ('host' in event) return;
    this.#startedAt ??= event.time;
    if (
      event.type === 'run-started' ||
      event.type === 'run-finished' ||
      event.type === 'warning' ||
      event.type === 'retry' ||
      event.type === 'run-stopping'
    )
      return;

    // In a sync, a registry runs again on its schedule with no run-started around it: start over.
    if (event.type === 'registry-started' && this.#registries.get(event.registry)?.status === 'finished') {
      this.#registries.set(event.registry, newRegistry(event.registry));
    }
    const registry = this.#registry(event.registry);
    if (registry.status === 'pending') registry.status = 'active';
    registry.counts.addEvent(event);
    switch (event.type) {
      case 'registry-listed':
        registry.listed = event.images;
        break;
      case 'registry-script-failed':
        registry.scriptError = scriptFailureSummary(event);
        registry.ok = false;
        break;
      case 'registry-line-invalid':
        registry.ok = false;
        break;
      case 'selection-problem':
        if (event.severity === 'error') registry.ok = false;
        break;
      case 'repositories-found':
        this.#ruleListing(registry, event.rule).catalogSelected = event.selected;
        break;
      case 'tags-found':
      case 'repository-selected': {
        const rule = this.#ruleListing(registry, event.rule);
        rule.repositories.add(`${event.source}/${event.repository}`);
        if (event.type === 'tags-found') rule.tags = event.total;
        break;
      }
      case 'registry-finished':
        // The run's own counts are the truth; they also cover images whose events we missed.
        registry.status = 'finished';
        registry.ok = event.ok && registry.ok;
        registry.counts.settle(event);
        for (const [key, image] of this.#images) if (image.registry === registry.name) this.#images.delete(key);
        break;
      case 'image-started':
        this.#images.set(imageKey(event.registry, event.target), {
          registry: event.registry,
          source: event.source,
          target: event.target,
          startedAt: event.time,
          blobs: new Map(),
        });
        break;
      case 'image-done':
      case 'image-skipped':
      case 'image-failed':
      case 'image-cancelled':
        this.#images.delete(imageKey(event.registry, event.target));
        break;
      case 'blob-skipped':
      case 'blob-mounted':
        this.#blobs(event)?.set(event.digest, { size: event.size, transferred: 0, done: true, streamed: false });
        break;
      case 'blob-started':
        // Also a restart after a broken stream: what was sent before is sent again.
        this.#blobs(event)?.set(event.digest, { size: event.size, transferred: 0, done: false, streamed: true });
        break;
      case 'blob-progress':
        this.#blobs(event)?.set(event.digest, { size: event.size, transferred: event.transferred, done: false, streamed: true });
        break;
      case 'blob-done':
        this.#blobs(event)?.set(event.digest, { size: event.size, transferred: event.size, done: true, streamed: true });
        break;
    }
  }

  view(now: number): LiveView {
    const images = [...this.#images.values()].map(activeImage);
    const registries = [...this.#registries.values()].map((r): RegistryState => {
      const streaming = images.filter((i) => i.registry === r.name).reduce((n, i) => n + i.streamedBytes, 0);
      const { copied, upToDate, failed, cancelled, invalidLines, selectionErrors, wouldCopy, bytes } = r.counts;
      return {
        listing: r.listing && listingTotals(r.listing),
        name: r.name,
        status: r.status,
        ok: r.ok,
        listed: r.listed,
        copied,
        upToDate,
        failed,
        cancelled,
        invalidLines,
        selectionErrors,
        wouldCopy,
        bytes: bytes + streaming,
        scriptError: r.scriptError,
        referrers: { ...r.counts.referrers },
      };
    });
    const sum = (pick: (r: RegistryState) => number) => registries.reduce((n, r) => n + pick(r), 0);
    return {
      now,
      startedAt: this.#startedAt ?? now,
      dryRun: this.#dryRun,
      registries,
      images,
      totals: {
        done: sum((r) => r.copied + r.upToDate + r.failed + r.cancelled + r.wouldCopy),
        listed: sum((r) => r.listed ?? 0),
        bytes: sum((r) => r.bytes),
      },
    };
  }

  #ruleListing(registry: RegistryTrack, rule: string): RuleListing {
    registry.listing ??= new Map();
    let listing = registry.listing.get(rule);
    if (!listing) registry.listing.set(rule, (listing = { catalogSelected: undefined, repositories: new Set(), tags: 0 }));
    return listing;
  }

  #registry(name: string): RegistryTrack {
    let registry = this.#registries.get(name);
    if (!registry) this.#registries.set(name, (registry = newRegistry(name)));
    return registry;
  }

  /** Blobs of the image an event belongs to; late events of a finished image are dropped. */
  #blobs(event: { registry: string; target: string }): Map<string, BlobState> | undefined {
    return this.#images.get(imageKey(event.registry, event.target))?.blobs;
  }

  #reset(): void {
    this.#registries.clear();
    this.#images.clear();
    this.#startedAt = undefined;
  }
}

function newRegistry(name: string): RegistryTrack {
  return { name, status: 'pending', ok: true, listed: undefined, scriptError: undefined, counts: new RunCounter(), listing: undefined };
}

/** A registry's listing so far: a rule reading a catalog counts the repositories it selected there, others those it listed. */
function listingTotals(rules: ReadonlyMap<string, RuleListing>): { repositories: number; tags: number } {
  let repositories = 0;
  let tags = 0;
  for (const rule of rules.values()) {
    repositories += Math.max(rule.catalogSelected ?? 0, rule.repositories.size);
    tags += rule.tags;
  }
  return { repositories, tags };
}

function imageKey(registry: string, target: string): string {
  return `${registry}\0${target}`;
}

function activeImage(image: ImageState): ActiveImage {
  let totalBytes = 0;
  let doneBytes = 0;
  let streamedBytes = 0;
  for (const blob of image.blobs.values()) {
    totalBytes += blob.size;
    doneBytes += blob.done ? blob.size : blob.transferred;
    if (blob.streamed) streamedBytes += blob.transferred;
  }
  return {
    registry: image.registry,
    source: image.source,
    target: image.target,
    startedAt: image.startedAt,
    totalBytes,
    doneBytes,
    streamedBytes,
  };
}
