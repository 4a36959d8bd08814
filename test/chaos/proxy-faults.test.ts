import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { timeoutsFromSettings, type TimeoutSettings } from '../../src/transport/index.js';
import { pushImage, type BuiltImage, type FaultProxy } from '../harness/index.js';
import { dockerImage, largeImage, ociImage, ociIndex } from '../e2e/fixtures.js';
import { useProxiedPair } from '../e2e/proxied-pair.js';
import { chaosFigures, chaosRandom, within } from './chaos-kit.js';
import { randomStorm, type Storm } from './fault-storms.js';
import { verifyAllTags } from './verify-registry.js';

/*
 * Random fault storms through the fault proxy in front of either registry: 429 with and without
 * Retry-After, 5xx bursts, connections reset before an answer, bodies cut in the middle both ways, answers that
 * trickle in one byte every second or two, uploads the target stops reading; and a server that accepts
 * connections and never answers. Each copy ends in success or a clear, typed error naming the
 * registry, within a bound computed from the configured timeouts, the retry policy and the Retry-After
 * values injected; the target never has a tag for a copy that failed, every tag it has is complete,
 * and once the faults are gone the same copy succeeds.
 */

const random = chaosRandom(import.meta.filename);
const figures = chaosFigures(import.meta.filename);
const ROUNDS = 16;
const RETRY = { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 200, maxTotalMs: 60_000 };
/** The config's `timeouts:` block for these copies (README "Timeouts"), short so a stall ends soon. */
const SETTINGS: TimeoutSettings = { connectSeconds: 2, responseSeconds: 3, readSeconds: 3, blobMinBytes: 65_536, blobIntervalSeconds: 2 };
const TIMEOUTS = timeoutsFromSettings(SETTINGS);
// The resume test cuts connections (seen at once) and must not also time out: on a loaded machine the
// registry's digest check after a 110 MiB upload took over 3 s, the upload was sent again and the layer read twice.
const RESUME_TIMEOUTS = timeoutsFromSettings({ ...SETTINGS, responseSeconds: 60, readSeconds: 60, blobIntervalSeconds: 60 });
/** The longest one hit of a trickle or a stall can hold a request: a read deadline, or two blob intervals and the buffers filling. */
const STALL_HIT_MS = Math.max(SETTINGS.readSeconds, SETTINGS.responseSeconds, 3 * SETTINGS.blobIntervalSeconds) * 1000;

const images: Record<string, BuiltImage> = {};
const pair = useProxiedPair(async ({ source }) => {
  images['library/app:v1'] = await pushImage(ociImage, source, 'library/app:v1');
  images['multi/app:v1'] = await pushImage(ociIndex, source, 'multi/app:v1');
  images['team/api:v2'] = await pushImage(dockerImage, source, 'team/api:v2');
});

const proxyOf = (side: 'source' | 'target'): FaultProxy => (side === 'source' ? pair.sourceProxy : pair.targetProxy);

/** Requests a storm's rule matched (it hits the first `times` of them). */
function hits(storm: Storm): number {
  return Math.min(storm.times, proxyOf(storm.side).count(storm.method, storm.pathPattern));
}

async function copy(image: string, repository: string): Promise<{ digest?: string; error?: Error & { code?: string } }> {
  const engine = new CopyEngine({ timeouts: TIMEOUTS });
  try {
    const result = await engine.copy({
      source: `${pair.sourceProxy.host}/${image}`,
      target: `${pair.targetProxy.host}/${repository}/${image}`,
      sourceEndpoint: { retry: RETRY },
      targetEndpoint: { retry: RETRY },
    });
    return { digest: result.digest };
  } catch (error) {
    return { error: error as Error & { code?: string } };
  } finally {
    await engine.close();
  }
}

/**
 * The most a copy may take: every request may use up its attempts with the longest backoff, plus
 * what each hit of a storm can hold it (its Retry-After or a timeout), again for each whole-blob attempt.
 */
function boundMs(storms: Storm[]): number {
  const waits = storms.reduce((sum, s) => sum + s.times * s.waitMs, 0);
  return 3 * waits + 30_000;
}

test(`${ROUNDS} rounds of random fault storms: success or a clear error within the bound; no partial tag; the copy succeeds once the faults are gone`, async () => {
  const hashed = new Set<string>();
  for (let round = 1; round <= ROUNDS; round++) {
    const image = random.pick(Object.keys(images));
    const storms = Array.from({ length: random.int(1, 3) }, () => randomStorm(random, STALL_HIT_MS));
    pair.sourceProxy.clearRequests();
    pair.targetProxy.clearRequests();
    for (const storm of storms)
      proxyOf(storm.side).addFault({ method: storm.method, pathPattern: storm.pathPattern, times: storm.times, action: storm.action });
    const what = `round ${round} (seed ${random.seed}): ${image} with ${storms.map((s) => `${s.what} on ${s.side} ${s.method} ${s.pathPattern.source}`).join(', ')}`;
    const repository = `storm-${round}`;
    const { value: outcome, ms } = await within(boundMs(storms), what, copy(image, repository));
    figures.faults += storms.reduce((sum, s) => sum + hits(s), 0);
    figures.runs++;
    for (const proxy of [pair.sourceProxy, pair.targetProxy]) {
      proxy.clearFaults();
      proxy.release(); // held uploads: their client has gone or goes now
    }
    if (outcome.error) {
      const { code, message } = outcome.error;
      assert.match(
        String(code),
        /^(HTTP|NETWORK|TIMEOUT|SIZE_MISMATCH|DIGEST_MISMATCH|RATE_LIMITED|[A-Z_]+)$/,
        `${what}: typed error, got ${String(code)}: ${message}`,
      );
      assert.ok(
        message.includes(pair.sourceProxy.host) || message.includes(pair.targetProxy.host),
        `${what}: the error names a registry: ${message}`,
      );
    } else {
      assert.equal(outcome.digest, images[image]?.digest, what);
    }
    const tags = await verifyAllTags(pair.target, hashed);
    figures.verifiedTags += tags.size;
    if (outcome.error)
      assert.equal(
        [...tags.keys()].some((t) => t.startsWith(`${repository}/`)),
        false,
        `${what}: no tag at the target after the failure`,
      );

    const again = await copy(image, repository);
    assert.equal(again.error, undefined, `${what}: the copy succeeds once the faults are gone: ${again.error?.message}`);
    assert.equal(again.digest, images[image]?.digest);
    console.log(`${what}: ${outcome.error ? `${outcome.error.code}` : 'copied'} in ${ms} ms`);
  }
});

test('a server that accepts connections and never answers: a TIMEOUT error naming it within the response timeout and the retries; nothing hangs', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
  const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  for (const side of ['source', 'target'] as const) {
    const retry = { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 200, maxTotalMs: 60_000 };
    const engine = new CopyEngine({ timeouts: TIMEOUTS });
    t.after(() => engine.close());
    const source = side === 'source' ? `${host}/silent/app:v1` : `${pair.source.host}/library/app:v1`;
    const target = side === 'target' ? `${host}/silent/app:v1` : `${pair.target.host}/silent/app:v1`;
    // Two attempts, each waiting the response timeout, plus the backoff between them and a margin.
    const bound = retry.maxAttempts * (SETTINGS.responseSeconds + SETTINGS.connectSeconds) * 1000 + 5_000;
    const { value: error } = await within(
      bound,
      `copy with a silent ${side}`,
      engine.copy({ source, target, sourceEndpoint: { insecure: true, retry }, targetEndpoint: { insecure: true, retry } }).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      ),
    );
    assert.ok(error, `the copy with a silent ${side} failed`);
    assert.equal(error.code, 'TIMEOUT', error.message);
    assert.ok(error.message.includes(host), `the error names the silent server: ${error.message}`);
    assert.match(error.message, /timeouts\.responseSeconds/, 'the error names the setting to raise');
    figures.faults += sockets.size;
  }
});

// Only the download breaks here: distribution 2.8 cancels an upload session whose connection broke, so
// an upload cut there sends the blob again, reading it again from the source (the storms above cut uploads).
test('a 110 MiB layer whose download breaks at random points resumes with Range: at most 1.2x the layer read from the source, the copy completes and verifies', async () => {
  const big = await pushImage(largeImage, pair.source, 'library/large:v1');
  const layer = big.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  const blobPath = new RegExp(`/blobs/${layer.digest}`);
  const cuts = random.int(1, 3);
  // Each cut breaks the next answer for the layer after a random share of what it still had to send.
  for (let i = 0; i < cuts; i++)
    pair.sourceProxy.addFault({
      method: 'GET',
      pathPattern: blobPath,
      times: 1,
      action: { kind: 'truncate', afterBytes: random.int(1, Math.floor(layer.size / (cuts + 1))) },
    });
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const engine = new CopyEngine({ timeouts: RESUME_TIMEOUTS });
  const resumed: string[] = [];
  try {
    const what = `seed ${random.seed}: ${cuts} download cuts`;
    const { value: result } = await within(
      120_000,
      what,
      engine.copy(
        {
          source: `${pair.sourceProxy.host}/library/large:v1`,
          target: `${pair.targetProxy.host}/resumed/library/large:v1`,
          sourceEndpoint: { retry: RETRY },
          targetEndpoint: { retry: RETRY },
        },
        {
          onEvent: (e) => {
            if (e.type === 'blob-resumed') resumed.push(`${e.side}@${e.offset}`);
          },
        },
      ),
    );
    assert.equal(result.digest, big.digest, what);
    const read = pair.sourceProxy.requests.filter((r) => r.method === 'GET' && blobPath.test(r.path));
    const readBytes = read.reduce((sum, r) => sum + r.bytesOut, 0);
    assert.ok(
      read.slice(1).some((r) => r.headers.range !== undefined),
      `${what}: a later read asked for a Range: ${JSON.stringify(read.map((r) => r.headers.range))}`,
    );
    assert.ok(readBytes <= 1.2 * layer.size, `${what}: ${readBytes} bytes read for a ${layer.size}-byte layer`);
    figures.faults += cuts + 1;
    console.log(`${what}: ${(readBytes / layer.size).toFixed(3)}x the layer read, resumed at ${resumed.join(', ')}`);
  } finally {
    await engine.close();
    pair.sourceProxy.clearFaults();
    pair.targetProxy.clearFaults();
  }
  figures.verifiedTags += (await verifyAllTags(pair.target)).size;
});
