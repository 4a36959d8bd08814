import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, skopeoCopyToLayout, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage, largeImage, ociImage, ociIndex } from '../e2e/fixtures.js';
import { LoadProcess } from '../e2e/stop-kit.js';
import { writeConfig } from '../e2e/sync-kit.js';
import { chaosFigures, chaosRandom, within } from './chaos-kit.js';
import { verifyAllTags } from './verify-registry.js';

/*
 * Either registry killed with SIGKILL at random moments of a multi-image `load` with a 110 MiB layer,
 * and restarted (same port, same storage) after a random pause. Every run ends, in success or with a
 * clear error, within a bound; every tag the target has is then fully verified (manifest and every
 * blob hashed); a rerun with no kills completes; at the end skopeo cross-checks one tag of each image.
 */

const random = chaosRandom(import.meta.filename);
const figures = chaosFigures(import.meta.filename);
const MIN_KILLS = 20;
/** A registry down for good makes each request fail within the retry budget (6 attempts, about 8 s of backoff); runs end well inside this. */
const RUN_BOUND_MS = 150_000;

let source: TestRegistry;
let target: TestRegistry;
let dir: string;
const built: Record<string, BuiltImage> = {};
const images = ['library/large:v1', 'library/app:v1', 'multi/app:v1', 'team/api:v2'];

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  // One push at a time per repository (distribution 2.8 races on concurrent pushes of the same blobs).
  [built.large, built.app, built.multi, built.api] = await Promise.all([
    pushImage(largeImage, source, 'library/large:v1'),
    pushImage(ociImage, source, 'library/app:v1'),
    pushImage(ociIndex, source, 'multi/app:v1'),
    pushImage(dockerImage, source, 'team/api:v2'),
  ]);
  dir = await makeTempDir('chaos-kills');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

interface LoadOutcome {
  code: number | null;
  events: Array<Record<string, unknown>>;
  stderr: string;
}

async function load(repository: string, during?: (process: LoadProcess) => Promise<void>): Promise<LoadOutcome> {
  const config = await writeConfig(join(dir), {
    registries: [{ hostname: target.host, repository, images: images.map((i) => `${source.host}/${i}`) }],
  });
  const child = new LoadProcess(['--config', config, '--all'], dir);
  try {
    const duringDone = during?.(child);
    const { value } = await within(RUN_BOUND_MS, `load into ${repository}`, child.exited);
    await duringDone;
    figures.runs++;
    return { code: value.code, events: child.events, stderr: child.stderr };
  } finally {
    child.signal('SIGKILL'); // nothing if it has exited; ends it if the bound was hit
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills the chosen registry `count` times at random moments while the load runs, restarting it each time. */
async function killDuring(child: LoadProcess, count: number, log: string[]): Promise<void> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  const running = (): boolean => !exited; // read fresh each time: the callback sets it, unseen by narrowing
  for (let i = 0; i < count && running(); i++) {
    const victim = random.next() < 0.5 ? source : target;
    const wait = random.int(50, 1500);
    const down = random.int(0, 1500);
    await pause(wait); // a random moment is the point here, not synchronisation
    if (!running()) break; // only kills during the run count
    await victim.kill();
    figures.kills++;
    log.push(`${victim === source ? 'source' : 'target'} killed after ${wait} ms, down ${down} ms`);
    await pause(down);
    await victim.start();
  }
}

/** A failed image must say what failed, naming the registry involved; nothing else may go wrong. */
function assertClearOutcome(outcome: LoadOutcome, what: string): void {
  assert.ok(outcome.code === 0 || outcome.code === 1, `${what}: exit ${outcome.code}, stderr: ${outcome.stderr}`);
  assert.equal(outcome.stderr.includes('Unhandled'), false, `${what}: ${outcome.stderr}`);
  const finished = outcome.events.find((e) => e.type === 'run-finished');
  assert.ok(finished, `${what}: the run reported its end`);
  const failures = outcome.events.filter((e) => e.type === 'image-failed') as Array<{
    source: string;
    error: { code: string; message: string };
  }>;
  assert.equal(failures.length, Number(finished.failed), `${what}: one failure event per failed image`);
  assert.equal(outcome.code === 0, failures.length === 0, `${what}: exit code matches the failures`);
  for (const failure of failures) {
    assert.match(failure.error.code, /^[A-Z_]+$/, `${what}: typed error ${JSON.stringify(failure)}`);
    // Both registries are plain http on loopback: a TLS error would misread a restart (the scheme probe hit it down).
    assert.notEqual(failure.error.code, 'TLS', `${what}: ${failure.error.message}`);
    assert.ok(
      failure.error.message.includes(source.host) || failure.error.message.includes(target.host),
      `${what}: the error names a registry: ${failure.error.message}`,
    );
  }
}

test(`either registry killed at random moments of a multi-image load (at least ${MIN_KILLS} kills): runs end in time, no tag is broken, reruns complete`, async () => {
  const hashed = new Set<string>(); // blobs hashed once; each tag's manifest and links checked every time
  for (let run = 1; figures.kills < MIN_KILLS; run++) {
    const started = Date.now();
    const repository = `kills-${run}`;
    const log: string[] = [];
    const outcome = await load(repository, (child) => killDuring(child, random.int(3, 5), log));
    const what = `run ${run} (seed ${random.seed}; ${log.join('; ')})`;
    assertClearOutcome(outcome, what);
    const afterKills = await verifyAllTags(target, hashed);
    figures.verifiedTags += afterKills.size;

    const rerun = await load(repository);
    assertClearOutcome(rerun, `${what}, rerun`);
    assert.equal(rerun.code, 0, `${what}: the rerun completes: ${JSON.stringify(rerun.events.filter((e) => e.type === 'image-failed'))}`);
    const afterRerun = await verifyAllTags(target, hashed);
    figures.verifiedTags += afterRerun.size;
    for (const [i, name] of images.entries()) {
      const expected = [built.large, built.app, built.multi, built.api][i]?.digest;
      assert.equal(afterRerun.get(`${repository}/${name}`), expected, `${what}: ${name} mirrored with its digest`);
    }
    const failed = outcome.events.filter((e) => e.type === 'image-failed').map((e) => `${String(e.source)}: ${JSON.stringify(e.error)}`);
    console.log(
      `run ${run}: exit ${outcome.code}, rerun exit ${rerun.code}, ${Date.now() - started} ms; ${log.join('; ')}${failed.length > 0 ? `; failed: ${failed.join('; ')}` : ''}`,
    );
  }
  figures.verifiedTags += (await verifyAllTags(target)).size; // every blob hashed again at the end
  assert.ok(figures.kills >= MIN_KILLS);
});

test('skopeo cross-checks one mirrored tag of each image: every blob verified on the way', async () => {
  const layout = await makeTempDir('chaos-kills-layout');
  for (const name of images) await skopeoCopyToLayout(`${target.host}/kills-1/${name}`, target, join(layout, name.replace(/[/:]/g, '-')));
});
