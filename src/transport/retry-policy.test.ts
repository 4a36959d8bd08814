import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContentError, HttpError, NetworkError, TimeoutError, TlsError } from '../errors/index.js';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableNetworkError,
  isRetryableStatus,
  isTransient,
  parseRetryAfter,
  retryDelayMs,
} from './retry-policy.js';

test('retryable statuses: 429 and 5xx except 501', () => {
  for (const s of [429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of [200, 400, 401, 403, 404, 416, 501]) assert.equal(isRetryableStatus(s), false, String(s));
});

test('transient failures of a whole operation: network failures, 408 and the statuses requests retry; never another 4xx, never TLS', () => {
  const http = (status: number) => new HttpError({ status, method: 'PUT', url: 'https://r.example/v2/a/blobs/uploads/x', errors: [] });
  for (const error of [
    new NetworkError('GET', 'https://r.example/v2/', 'ERR_STREAM_PREMATURE_CLOSE'),
    new TimeoutError('GET', 'u', 'download stalled', 'timeouts.blobMinBytes'),
    http(408),
    http(429),
    http(500),
    http(503),
  ]) {
    assert.equal(isTransient(error), true, error.message);
  }
  for (const error of [
    http(400),
    http(403),
    http(404),
    http(413),
    http(501),
    new TlsError('GET', 'https://storage.example/blob', 'unknown-ca', 'the certificate is not trusted'),
    new ContentError('DIGEST_MISMATCH', 'x'),
    new Error('bug'),
    'text',
  ]) {
    assert.equal(isTransient(error), false, String(error));
  }
});

test('Retry-After in seconds and as an HTTP-date', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(' 0 '), 0);
  const now = Date.parse('2026-11-22T10:00:00Z');
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 10:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('Sun, 22 Nov 2026 09:59:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});

test('backoff grows exponentially, is jittered, and is capped', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  // [attempt, Retry-After ms, jitter draw, delay]
  const cases: Array<[number, number | undefined, number, number]> = [
    [1, undefined, 0, 50],
    [1, undefined, 1, 100],
    [3, undefined, 1, 400],
    [10, undefined, 1, 1000],
  ];
  for (const [attempt, retryAfter, draw, delay] of cases)
    assert.equal(
      retryDelayMs(policy, attempt, retryAfter, () => draw),
      delay,
    );
  assert.equal(
    retryDelayMs(policy, 10, 7000, () => 1),
    7000,
    'the server decides when it says so',
  );
});

test('network errors are recognised through cause chains', () => {
  assert.equal(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
  assert.equal(isRetryableNetworkError(new Error('outer', { cause: Object.assign(new Error('in'), { code: 'UND_ERR_SOCKET' }) })), true);
  assert.equal(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })), false);
});
