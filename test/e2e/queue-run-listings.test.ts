import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pushCosignTag, pushImage, skopeoListTags, type ImageSpec } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { startQueuedSync, startWorker, useQueueRig } from './queue-kit.js';
import { until, writeConfig, type LogLine } from './sync-kit.js';

/*
 * A run's copies on a `picture-book worker` share its listings, as an in-process run's copies do:
 * the worker lists a source repository's tags (cosign's tags, the referrers fallback) and asks
 * its referrers API once per run, not once per image; the next run lists afresh. Counted at the
 * source's proxy, in front of the real registry.
 */

const REPO = 'listed/app';
const TAGS = ['v1', 'v2', 'v3'];
const imageOf = (tag: string): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [{ seed: `run-listings-${tag}`, size: 4 * 1024 }],
  platform: { os: 'linux', architecture: 'amd64' },
});

let signature = '';
const rig = useQueueRig('queue-run-listings', async ({ source }) => {
  const digests: string[] = [];
  for (const tag of TAGS) digests.push((await pushImage(imageOf(tag), source, `${REPO}:${tag}`)).digest);
  // The last image is signed with cosign's tag: the shared listing must still find it.
  signature = (await pushCosignTag(source, REPO, digests.at(-1) ?? '', 'sig', 'run-listings')).tag;
});

test("a run's jobs on a worker list the source repository once and ask its referrers API once; the next run lists again", async () => {
  const { redis, sourceProxy, target, dir, processes } = rig;
  const registry = { hostname: target.host, repository: 'mirror', images: TAGS.map((tag) => `${sourceProxy.host}/${REPO}:${tag}`) };
  const workerConfig = await writeConfig(await makeTempDir('queue-run-listings-worker'), { registries: [registry] });
  // Two slots: the run's first two copies ask at once, and still list once.
  processes.push(await startWorker(workerConfig, { cwd: dir, queue: redis.url, concurrency: 2 }));
  const server = await startQueuedSync(rig, registry);
  const finished = (n: number): Promise<LogLine> =>
    until(() => server.events('sync-run-finished', target.host)[n], `run ${n + 1} to finish`, 120_000);

  const asked = (what: 'tags' | 'referrers'): number =>
    sourceProxy.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith(`/v2/${REPO}/${what === 'tags' ? 'tags/list' : 'referrers/'}`),
    ).length;
  const first = await finished(0);
  assert.deepEqual([first.result, first.copied, first.failed], ['succeeded', TAGS.length, 0]);
  assert.equal(asked('tags'), 1, 'the repository listed once for the run, not once per image');
  assert.equal(asked('referrers'), 1, 'its referrers API asked once: the registry has none, the other images go to the fallback tag');
  const mirrored = await skopeoListTags(`${target.host}/mirror/${REPO}`, target);
  assert.ok(mirrored.includes(signature), `the signature tag followed its image: ${mirrored.join(' ')}`);

  // The next run is a new run: it lists again (a tag or signature added meanwhile is seen), once.
  const again = await server.api(`/ops?sync=${encodeURIComponent(target.host)}&action=run`, { method: 'POST' });
  assert.equal(again.status, 202, again.text);
  const second = await finished(1);
  assert.deepEqual([second.result, second.upToDate], ['succeeded', TAGS.length]);
  assert.equal(asked('tags'), 2);
  assert.equal(asked('referrers'), 2);
});
