import { createHash, createHmac } from 'node:crypto';
import type { CopyJobData } from './copy-job.js';

/**
 * The de-duplication id of a copy: its registry entry, source and target, and for a copy that
 * carries its own endpoints (a distribute job's) their fingerprint. While one such job is queued
 * or running, adding it again (another run, another `sync` server) adds nothing: the second
 * caller follows the first job to its end. Two requests for one copy with different credentials
 * are two jobs: the first one's credentials are not the second one's to use.
 */
export function deduplicationId(data: CopyJobData): string {
  const platforms = [...(data.platforms ?? []), ...(data.missingPlatforms ? [`missing:${data.missingPlatforms}`] : [])].sort().join(',');
  const key = [data.registry, data.source, data.target, platforms, data.force === true ? 'force' : '', data.fingerprint ?? ''].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** What the fingerprint's HMAC key is derived with: the queue key itself serves sealing only. */
const FINGERPRINT_PURPOSE = 'picture-book copy-job endpoints fingerprint v1';

/**
 * The fingerprint of the endpoints a job carries (credentials included): an HMAC-SHA256 under a
 * key derived from the queue key, so equal endpoints give equal fingerprints on every `sync`
 * server holding the key, and Redis never holds anything a secret can be read or guessed from
 * without it. Without a queue key the endpoints hold no credentials (such requests are refused),
 * and a plain hash will do.
 */
export function endpointsFingerprint(key: Buffer | undefined, endpoints: unknown): string {
  const text = canonicalJson(endpoints);
  if (key === undefined) return createHash('sha256').update(text, 'utf8').digest('hex');
  const fingerprintKey = createHmac('sha256', key).update(FINGERPRINT_PURPOSE).digest();
  return createHmac('sha256', fingerprintKey).update(text, 'utf8').digest('hex');
}

/**
 * JSON with every object's keys sorted, at every depth: one request is one text whichever order
 * its sender (or a parser, a schema's defaults) put the keys in. Arrays keep their order: it means something.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
