import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordedRequest } from '../test/harness/index.js';
import { uploadCounts } from './upload-counts.js';

const request = (method: string, path: string, status: number, bytesIn = 0): RecordedRequest => ({
  method,
  path,
  status,
  headers: {},
  bytesIn,
  bytesOut: 0,
  at: 0,
});

test('uploadCounts counts completed uploads per digest, the bytes sent, mounts made and refused, and blob HEADs', () => {
  const a = 'sha256:' + 'a'.repeat(64);
  const b = 'sha256:' + 'b'.repeat(64);
  const counts = uploadCounts([
    request('HEAD', `/v2/m/r1/blobs/${a}`, 404),
    request('POST', '/v2/m/r1/blobs/uploads/', 202),
    request('PATCH', '/v2/m/r1/blobs/uploads/u1', 202, 1000),
    request('PUT', `/v2/m/r1/blobs/uploads/u1?digest=${encodeURIComponent(a)}`, 201),
    // A second worker, not knowing of the first upload, sends the same blob to another repository.
    request('POST', `/v2/m/r2/blobs/uploads/?mount=${a}&from=m/r3`, 202),
    request('PUT', `/v2/m/r2/blobs/uploads/u2?digest=${a}`, 201, 1000),
    request('POST', `/v2/m/r4/blobs/uploads/?mount=${a}&from=m/r1`, 201),
    request('POST', `/v2/m/r1/blobs/uploads/?digest=${b}`, 201, 10),
    request('PUT', `/v2/m/r1/blobs/uploads/u3?digest=${b}`, 400, 0),
    request('PUT', '/v2/m/r1/manifests/v1', 201, 500),
  ]);
  assert.deepEqual(counts, {
    uploads: 3,
    uploadedDigests: 2,
    digestsUploadedTwiceOrMore: 1,
    mostUploadsOfOneDigest: 2,
    uploadedBytes: 2010,
    mounts: 1,
    mountsRefused: 1,
    blobHeads: 1,
  });
});
