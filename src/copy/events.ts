/**
 * Typed progress events of the copy engine. The library logs nothing itself: the CLI, the live
 * display, the JSON log and the server all consume these. Each event goes to the listener of the
 * copy that caused it (`onEvent` of CopyEngine.copy and plan), never to other copies of the engine.
 *
 * `image` is the printed target-side task id "SOURCE -> TARGET"; `source`/`target` are the
 * printed references. Byte counts are of compressed blob bytes on the wire.
 */
export type CopyEvent =
  | { type: 'image-started'; source: string; target: string; time: number }
  /**
   * Not copied: `up-to-date`, the target tag has the source digest; `platform`, a platform filter
   * that skips (image-syncer's --os/--arch) found none of its platforms in the image (`note` says
   * what it has); nothing was written.
   */
  | {
      type: 'image-skipped';
      source: string;
      target: string;
      digest: string;
      reason: 'up-to-date' | 'platform';
      note?: string;
      /** What followed the image (absent: referrers off). */
      referrers?: ReferrerCounts;
      time: number;
    }
  | ({ type: 'image-done'; source: string; target: string; referrers?: ReferrerCounts; time: number } & ImageCopyFigures)
  | { type: 'image-failed'; source: string; target: string; error: { code: string; message: string }; time: number }
  /**
   * The run was stopped: `started` false means the copy never began (nothing was sent); true means
   * it was aborted midway, before its manifest was written, so the target tag was not touched.
   */
  | { type: 'image-cancelled'; source: string; target: string; started: boolean; time: number }
  /**
   * The copy to `target` failed for good (a blob or manifest it refused, a blob whose retries ran
   * out): what was still streaming to it was stopped at once; the other destinations of a grouped
   * copy go on. Its image-failed follows once those transfers have ended.
   */
  | { type: 'target-failed'; target: string; error: { code: string; message: string }; time: number }
  | { type: 'manifest-written'; target: string; digest: string; mediaType: string; time: number }
  | { type: 'blob-skipped'; target: string; digest: string; size: number; time: number }
  | { type: 'blob-mounted'; target: string; digest: string; size: number; from: string; time: number }
  /** The target refused to mount the blob from `from` (anything but 201/202): it is streamed instead. */
  | { type: 'blob-mount-failed'; target: string; digest: string; size: number; from: string; reason: string; time: number }
  | { type: 'blob-started'; target: string; digest: string; size: number; time: number }
  | { type: 'blob-progress'; target: string; digest: string; size: number; transferred: number; time: number }
  /**
   * A connection broke mid-blob and the transfer went on from byte `offset` rather than from zero:
   * `source`, a ranged GET; `target`, the same upload session (where the registry kept it).
   */
  | {
      type: 'blob-resumed';
      target: string;
      digest: string;
      size: number;
      side: 'source' | 'target';
      offset: number;
      reason: string;
      time: number;
    }
  | { type: 'blob-done'; target: string; digest: string; size: number; durationMs: number; time: number }
  | { type: 'retry'; method: string; url: string; attempt: number; delayMs: number; reason: string; time: number }
  /**
   * The registry answered a manifest HEAD without `Docker-Content-Digest`, so the manifest of
   * `reference` was read with a GET to learn its digest (one more request; a pull on Docker Hub).
   * `target` is the image being copied.
   */
  | { type: 'digest-fallback'; target: string; reference: string; time: number }
  /**
   * A manifest describing a copied one (a signature, attestation, SBOM) was copied to the target:
   * found as an OCI 1.1 referrer (`via` the referrers API or the fallback tag) of `subject`, or as
   * a cosign tag (`tag`, e.g. `sha256-<hex>.sig`). `target` is the image being copied.
   */
  | {
      type: 'referrer-copied';
      target: string;
      subject: string;
      digest: string;
      artifactType: string;
      via: 'referrers-api' | 'referrers-tag' | 'cosign-tag';
      tag?: string;
      time: number;
    }
  /** The target has no referrers API: its fallback tag `tag` (an index of `entries` referrers) was written. */
  | { type: 'referrers-index-written'; target: string; subject: string; tag: string; entries: number; time: number }
  /**
   * Referrers of a source manifest that is not at the target (a platform filter wrote another
   * index): they describe something the target does not hold, so they were not copied.
   */
  | { type: 'referrers-not-applicable'; target: string; subject: string; count: number; reason: string; time: number }
  /**
   * A warning: what describes `subject` could not be listed at `place` (a registry host) in
   * `repository`: its referrers API (`referrers`), its fallback tag (`referrers-tag`) or its tags
   * (`tags`, where cosign's `sha256-<hex>.*` tags are found). The image itself is copied all the
   * same and counts as copied; what could be listed otherwise still follows it.
   */
  | {
      type: 'referrers-not-listed';
      target: string;
      subject: string;
      place: string;
      repository: string;
      listing: 'referrers' | 'referrers-tag' | 'tags';
      error: { code: string; message: string };
      time: number;
    }
  /**
   * A warning: a referrer of `subject` that was found (`digest`; `tag` for a cosign tag or the
   * fallback tag written at the target) could not be copied. The image is copied all the same.
   */
  | {
      type: 'referrer-failed';
      target: string;
      subject: string;
      digest?: string;
      tag?: string;
      error: { code: string; message: string };
      time: number;
    };

export type CopyEventType = CopyEvent['type'];

/**
 * The signatures, attestations and SBOMs (OCI referrers and cosign tags) that followed one image:
 * copied, found already at the target, and found but not copied (each a `referrer-failed` warning).
 * Found is their sum.
 */
export interface ReferrerCounts {
  copied: number;
  present: number;
  failed: number;
}

/** What one image copy moved: its `image-done` event and its result (CopyResult) both say it. */
export interface ImageCopyFigures {
  /** Digest now at the target. */
  digest: string;
  /** Digest of the source manifest; differs from `digest` when a platform filter rewrote an index. */
  sourceDigest: string;
  bytes: number;
  blobsCopied: number;
  blobsSkipped: number;
  blobsMounted: number;
  durationMs: number;
}

/** Receives events; must not throw (a throwing listener is the caller's bug, not a copy failure). */
export type CopyEventListener = (event: CopyEvent) => void;

/** The listener of a copy whose caller asked for no events. */
export const ignoreEvents: CopyEventListener = () => {};
