import type { RecordedRequest } from '../test/harness/index.js';

/** What a target registry received for blobs in one run, from its requests (a counting proxy's record). */
export interface UploadCounts {
  /** Blob uploads completed (201 to a PUT, or to a POST carrying `digest`): one per blob body that travelled. */
  uploads: number;
  /** Distinct digests among them. */
  uploadedDigests: number;
  /** Digests uploaded more than once, and the most times one digest was. */
  digestsUploadedTwiceOrMore: number;
  mostUploadsOfOneDigest: number;
  /** Request body bytes of upload requests (POST, PATCH, PUT): what crossed to the target. */
  uploadedBytes: number;
  /** Cross-repository mounts that succeeded (201 to a POST with `mount`) and were refused (202: an upload instead). */
  mounts: number;
  mountsRefused: number;
  /** HEADs of blobs (is it there already?). */
  blobHeads: number;
}

export function uploadCounts(requests: readonly RecordedRequest[]): UploadCounts {
  const perDigest = new Map<string, number>();
  let uploadedBytes = 0;
  let mounts = 0;
  let mountsRefused = 0;
  let blobHeads = 0;
  for (const r of requests) {
    const url = new URL(r.path, 'http://target');
    if (r.method === 'HEAD' && /\/blobs\/sha256:[0-9a-f]+$/.test(url.pathname)) blobHeads++;
    if (!url.pathname.includes('/blobs/uploads/')) continue;
    uploadedBytes += r.bytesIn;
    if (r.method === 'POST' && url.searchParams.has('mount')) {
      if (r.status === 201) mounts++;
      else mountsRefused++;
      continue;
    }
    const digest = url.searchParams.get('digest');
    if ((r.method === 'PUT' || r.method === 'POST') && digest !== null && r.status === 201)
      perDigest.set(digest, (perDigest.get(digest) ?? 0) + 1);
  }
  const times = [...perDigest.values()];
  return {
    uploads: times.reduce((a, b) => a + b, 0),
    uploadedDigests: perDigest.size,
    digestsUploadedTwiceOrMore: times.filter((n) => n > 1).length,
    mostUploadsOfOneDigest: Math.max(0, ...times),
    uploadedBytes,
    mounts,
    mountsRefused,
    blobHeads,
  };
}
