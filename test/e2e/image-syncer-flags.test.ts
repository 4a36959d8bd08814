import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startFaultProxy, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { dockerImage, ociImage, ociIndex } from './fixtures.js';
import { tags, workDir as inDir } from './image-syncer-kit.js';
import { waitFor } from './stop-kit.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';

/*
 * `picture-book image-syncer`'s flags (--retries, --force, --dry-run, --log, --os/--arch) and
 * `config import-image-syncer`, end to end against the real registry, checked with skopeo.
 */

let secured: TestRegistry;
let source: TestRegistry;
let first: TestRegistry;
let second: TestRegistry;
let dir: string;

before(async () => {
  [secured, source, first, second] = await Promise.all([
    startRegistry({ auth: 'htpasswd' }),
    startRegistry(),
    startRegistry(),
    startRegistry(),
  ]);
  dir = await tempDir('pb-image-syncer-flags-');
  for (const tag of ['v1.0', 'v2.0', 'v3.0'])
    await pushImage(tag === 'v2.0' ? dockerImage : ociImage, secured, `coreos/kube-rbac-proxy:${tag}`);
  for (const tag of ['v1', 'v2']) await pushImage(tag === 'v2' ? dockerImage : ociImage, source, `team/app:${tag}`);
});

after(async () => {
  const started = startedSoFar({ secured, source, first, second });
  await Promise.all([started.secured?.stop(), started.source?.stop(), started.first?.stop(), started.second?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const workDir = (name: string, files: Record<string, string>) => inDir(dir, name, files);

test('--retries (default 2): failed images are tried again after all were tried once; the log names which needed it and which still failed', async () => {
  const proxy = await startFaultProxy(source);
  try {
    // The first try of v1 fails; v2 fails every time.
    proxy.addFault({ pathPattern: /\/manifests\/v1$/, times: 1, action: { kind: 'status', status: 400, body: 'flaky' } });
    proxy.addFault({ pathPattern: /\/manifests\/v2$/, times: 1000, action: { kind: 'status', status: 400, body: 'broken' } });
    const images = `${proxy.host}/team/app:v1: ${first.host}/retry/ok\n${proxy.host}/team/app:v2: ${first.host}/retry/never\n`;
    const work = await workDir('retries', { 'images.yaml': images });
    const result = await runCli(['image-syncer', '--images', 'images.yaml', '--log-format', 'json'], {}, work);
    assert.equal(result.code, 1, result.stderr);
    const events = jsonLines(result.stderr);
    const passes = events.filter((e) => e.type === 'image-retry-pass');
    assert.deepEqual(
      passes.map((e) => [e.pass, e.passes, (e.images as Array<{ target: string }>).map((i) => i.target)]),
      [
        [1, 2, [`${first.host}/retry/ok:v1`, `${first.host}/retry/never:v2`]],
        [2, 2, [`${first.host}/retry/never:v2`]],
      ],
    );
    const summary = events.find((e) => e.type === 'warning' && String(e.message).includes('needed a retry'));
    assert.equal(
      summary?.message,
      `${first.host}: 2 images needed a retry (retries: 2); 1 then succeeded: ${first.host}/retry/ok:v1; 1 still failed: ${first.host}/retry/never:v2`,
    );
    const finished = events.find((e) => e.type === 'run-finished');
    assert.deepEqual([finished?.copied, finished?.failed], [1, 1]);
    assert.deepEqual(await tags(first, 'retry/ok'), ['v1']);
    const [copied, original] = await Promise.all([
      skopeoInspectRaw(`${first.host}/retry/ok:v1`, first),
      skopeoInspectRaw(`${source.host}/team/app:v1`, source),
    ]);
    assert.equal(copied.digest, original.digest);

    proxy.addFault({ pathPattern: /\/manifests\/v1$/, times: 1, action: { kind: 'status', status: 400, body: 'flaky' } });
    const none = await runCli(['image-syncer', '--images', 'images.yaml', '--retries', '0', '--force'], {}, work);
    assert.equal(none.code, 1);
    assert.doesNotMatch(none.stderr, /retry pass/, '--retries 0: one try');
  } finally {
    await proxy.close();
  }
});

test('--force rewrites an image already there; --dry-run writes nothing; --log appends to a file and leaves stderr empty', async () => {
  const images = `${source.host}/team/app:v1: ${second.host}/force/app\n`;
  const work = await workDir('force', { 'images.yaml': images });
  const dry = await runCli(['image-syncer', '--images', 'images.yaml', '--dry-run', '--log-format', 'json'], {}, work);
  assert.equal(dry.code, 0, dry.stderr);
  assert.ok(jsonLines(dry.stderr).some((e) => e.type === 'image-planned' && e.action === 'copy'));
  assert.deepEqual(await tags(second, 'force/app'), [], 'the dry run wrote nothing');
  const log = join(work, 'sync.log');
  const run = (extra: string[]) =>
    runCli(['image-syncer', '--images', 'images.yaml', '--log', log, '--log-format', 'json', ...extra], {}, work);
  const once = await run([]);
  assert.equal(once.code, 0, once.stderr);
  assert.equal(once.stderr, '', 'the log went to the file');
  const again = await run([]);
  const forced = await run(['--force']);
  assert.equal(forced.code, 0);
  const runs = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((e) => e.type === 'image-done' || e.type === 'image-skipped')
    .map((e) => e.type);
  assert.deepEqual(runs, ['image-done', 'image-skipped', 'image-done'], 'copied, then up to date, then forced; appended to one file');
  assert.equal(again.code, 0);
  assert.deepEqual(await tags(second, 'force/app'), ['v1']);
});

test('--os and --arch: each OS with each architecture of a multi-platform source (two: a new index of them; one: that image)', async () => {
  await pushImage(ociIndex, source, 'multi/app:v1');
  const images = `${source.host}/multi/app:v1: [${first.host}/plat/two, ${second.host}/plat/one]\n`;
  const work = await workDir('platforms', { 'images.yaml': images });
  const both = await runCli(['image-syncer', '--images', 'images.yaml', '--os', 'linux', '--arch', 'amd64,arm64'], {}, work);
  assert.equal(both.code, 0, both.stderr);
  const two = JSON.parse((await skopeoInspectRaw(`${first.host}/plat/two:v1`, first)).raw.toString('utf8')) as {
    manifests: Array<{ platform: { architecture: string } }>;
  };
  assert.deepEqual(two.manifests.map((m) => m.platform.architecture).sort(), ['amd64', 'arm64'], 'a new index of the two');
  const single = await runCli(['image-syncer', '--images', 'images.yaml', '--os=linux', '--arch=arm'], {}, work);
  assert.equal(single.code, 0, single.stderr);
  const one = JSON.parse((await skopeoInspectRaw(`${second.host}/plat/one:v1`, second)).raw.toString('utf8')) as { layers?: unknown[] };
  assert.ok(Array.isArray(one.layers), 'one platform: the image itself, not an index');
});

test('--arch alone (any OS) or --os alone (any architecture): an image or index with none of them is skipped with a note, not failed, and not tagged', async () => {
  await pushImage(ociIndex, source, 'multi/app:v2');
  const index = JSON.parse((await skopeoInspectRaw(`${source.host}/multi/app:v2`, source)).raw.toString('utf8')) as {
    manifests: Array<{ digest: string; platform: { architecture: string } }>;
  };
  const arm64 = index.manifests.find((m) => m.platform.architecture === 'arm64')?.digest;
  const images = [
    `${source.host}/multi/app:v2: ${first.host}/skip/multi`,
    `${source.host}/team/app:v1: ${first.host}/skip/single`,
    '',
  ].join('\n');
  const work = await workDir('platform-skips', { 'images.yaml': images });
  const arch = await runCli(['image-syncer', '--images', 'images.yaml', '--arch', 'arm64', '--log-format', 'json'], {}, work);
  assert.equal(arch.code, 0, arch.stderr);
  assert.equal(
    (await skopeoInspectRaw(`${first.host}/skip/multi:v2`, first)).digest,
    arm64,
    'the arm64 image of the index, whatever its OS',
  );
  const events = jsonLines(arch.stderr);
  const skipped = events.filter((e) => e.type === 'image-skipped');
  assert.deepEqual(
    skipped.map((e) => [e.target, e.reason, e.note]),
    [[`${first.host}/skip/single:v1`, 'platform', 'not */arm64: it is a single-platform linux/amd64 image']],
  );
  assert.ok(!events.some((e) => e.type === 'image-failed'));
  const finished = events.find((e) => e.type === 'run-finished');
  assert.deepEqual([finished?.copied, finished?.skipped, finished?.failed, finished?.ok], [1, 1, 0, true]);
  assert.deepEqual(await tags(first, 'skip/single'), [], 'a skipped image is not tagged');

  const os = await runCli(['image-syncer', '--images', 'images.yaml', '--os', 'windows'], {}, work);
  assert.equal(os.code, 0, os.stderr);
  assert.match(os.stderr, /images: 0 copied, 0 up to date, 2 skipped \(platform\), 0 failed/);
  assert.match(
    os.stderr,
    new RegExp(
      `skipped ${source.host}/multi/app:v2 -> ${first.host}/skip/multi:v2: no image for windows/\\* \\(the index has linux/amd64, linux/arm64/v8, linux/arm/v7\\)`,
    ),
  );
  assert.match(os.stderr, /skipped images \(2\):/);
  assert.deepEqual(await tags(first, 'skip/single'), [], 'still not tagged');
  assert.deepEqual(await tags(first, 'skip/multi'), ['v2'], 'the earlier copy is left as it was');
});

test('--proc N: at most N images copy at once (their blob reads overlap, never N + 1 of them)', async () => {
  const count = 4;
  for (let i = 0; i < count; i++)
    await pushImage(
      { kind: 'image', format: 'oci', layers: [{ seed: `proc-${i}`, size: 64 * 1024 }], platform: { os: 'linux', architecture: 'amd64' } },
      source,
      `proc/app${i}:v1`,
    );
  const proxy = await startFaultProxy(source);
  try {
    const blobReads = /^GET \/v2\/proc\/[^/]+\/blobs\//;
    const repositoryOf = (path: string) => /^\/v2\/(.+?)\/blobs\//.exec(path)?.[1] ?? path;
    for (const proc of [1, 3]) {
      const images = Array.from({ length: count }, (_, i) => `${proxy.host}/proc/app${i}:v1: ${second.host}/proc${proc}/app${i}`).join(
        '\n',
      );
      const work = await workDir(`proc-${proc}`, { 'images.yaml': `${images}\n` });
      const overlap = proxy.trackGroups(blobReads, repositoryOf);
      // Every blob read is held, so the images that got a slot keep it until the release.
      proxy.addFault({ method: 'GET', pathPattern: /\/v2\/proc\/[^/]+\/blobs\//, times: 1000, action: { kind: 'stall', afterBytes: 0 } });
      const run = runCli(['image-syncer', '--images', 'images.yaml', '--proc', String(proc)], {}, work);
      const resolved = () =>
        new Set(proxy.requests.filter((r) => r.method === 'GET' && r.path.includes('/manifests/')).map((r) => r.path)).size;
      await waitFor(
        () => new Set(proxy.stalled.map((r) => repositoryOf(r.path))).size >= proc && resolved() >= count,
        `${proc} images holding a blob read, every manifest read`,
        60_000,
      );
      proxy.clearFaults();
      proxy.release();
      const result = await run;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(overlap.seen.length, count, 'every image was read');
      assert.equal(overlap.max, proc, `--proc ${proc}: the most images reading at once`);
      for (let i = 0; i < count; i++) assert.deepEqual(await tags(second, `proc${proc}/app${i}`), ['v1']);
      proxy.clearRequests();
    }
  } finally {
    await proxy.close();
  }
});

test('config import-image-syncer prints a config.yaml (credentials as ${VAR}) that load turns into the same target state as the drop-in', async () => {
  const user = secured.username ?? '';
  const password = secured.password ?? '';
  const auth = `${secured.host}/coreos:\n  username: ${user}\n  password: \${PW}\n  insecure: true\n`;
  const rules = (target: TestRegistry) =>
    [
      `${secured.host}/coreos/kube-rbac-proxy: ${target.host}/conv/app`,
      `${secured.host}/coreos/kube-rbac-proxy:v1.0,v2.0: ${target.host}/conv/renamed:one,two`,
      `${secured.host}/coreos/kube-rbac-proxy:v3.0: [${target.host}/conv/multi]`,
      '',
    ].join('\n');
  const work = await workDir('import', { 'auth.yaml': auth, 'viaload.yaml': rules(first), 'dropin.yaml': rules(second) });
  const converted = await runCli(['config', 'import-image-syncer', '--auth', 'auth.yaml', '--images', 'viaload.yaml'], {}, work);
  assert.equal(converted.code, 0, converted.stderr);
  assert.ok(!converted.stdout.includes(password), 'no password in the config');
  const named = /set these variables before load or sync: (.*)/.exec(converted.stderr)?.[1]?.split(', ') ?? [];
  assert.deepEqual(named.slice(1), ['PW'], 'the variable the auth file named, kept');
  assert.match(named[0] ?? '', /^IMAGE_SYNCER_127_0_0_1_\d+_COREOS_USERNAME$/, 'a literal username becomes a generated variable');
  assert.match(converted.stdout, /mirrors:\n\s+- source: '127\.0\.0\.1:\d+\/coreos\/kube-rbac-proxy'\n\s+target: 'conv\/app'/);
  await writeFile(join(work, 'config.yaml'), converted.stdout);
  const env = { PW: password, [named[0] ?? '']: user };
  const loaded = await runCli(['load', '--config', 'config.yaml', '--all'], env, work);
  assert.equal(loaded.code, 0, loaded.stdout + loaded.stderr);
  const dropIn = await runCli(['image-syncer', '--auth', 'auth.yaml', '--images', 'dropin.yaml'], { PW: password }, work);
  assert.equal(dropIn.code, 0, dropIn.stderr);
  for (const repository of ['conv/app', 'conv/renamed', 'conv/multi']) {
    const [viaLoad, viaDropIn] = await Promise.all([tags(first, repository), tags(second, repository)]);
    assert.ok(viaLoad.length > 0, repository);
    assert.deepEqual(viaLoad, viaDropIn, repository);
    for (const tag of viaLoad) {
      const [a, b] = await Promise.all([
        skopeoInspectRaw(`${first.host}/${repository}:${tag}`, first),
        skopeoInspectRaw(`${second.host}/${repository}:${tag}`, second),
      ]);
      assert.equal(a.digest, b.digest, `${repository}:${tag}`);
    }
  }
  assert.deepEqual(await tags(first, 'conv/renamed'), ['one', 'two']);
});

test('config import-image-syncer writes the namespace entries of a destination host as targets: (the host entry cannot push, the namespace entry can), and load pushes with them', async () => {
  const user = secured.username ?? '';
  const password = secured.password ?? '';
  const entry = (key: string, name: string, secret: string) => `${key}:\n  username: ${name}\n  password: ${secret}\n  insecure: true\n`;
  const auth = [
    entry(secured.host, 'nobody', 'wrong'),
    entry(`${secured.host}/coreos`, user, '${PW}'),
    entry(`${secured.host}/pushed`, user, '${PW}'),
  ].join('');
  const images = `${secured.host}/coreos/kube-rbac-proxy:v1.0: ${secured.host}/pushed/app\n`;
  const work = await workDir('import-targets', { 'auth.yaml': auth, 'images.yaml': images });
  const converted = await runCli(['config', 'import-image-syncer', '--auth', 'auth.yaml', '--images', 'images.yaml'], {}, work);
  assert.equal(converted.code, 0, converted.stderr);
  assert.ok(!converted.stdout.includes(password), 'no password in the config');
  const host = secured.host.replaceAll('.', '\\.');
  // Every namespace entry of the destination host (coreos/ is one too), after the sources: block.
  assert.match(
    converted.stdout,
    new RegExp(
      `\\ntargets:\\n(?: {2}.*\\n)*? {2}${host}/pushed:\\n {4}auth: '\\$\\{IMAGE_SYNCER_[0-9_]+_PUSHED_USERNAME\\}:\\$\\{PW\\}'\\n`,
    ),
  );
  const named = /set these variables before load or sync: (.*)/.exec(converted.stderr)?.[1]?.split(', ') ?? [];
  const env = Object.fromEntries(named.map((name) => [name, name.endsWith('_USERNAME') ? user : name === 'PW' ? password : 'wrong']));
  await writeFile(join(work, 'config.yaml'), converted.stdout);
  const loaded = await runCli(['load', '--config', 'config.yaml', '--all'], env, work);
  assert.equal(loaded.code, 0, loaded.stdout + loaded.stderr);
  assert.deepEqual(await tags(secured, 'pushed/app'), ['v1.0']);
  const [copied, original] = await Promise.all([
    skopeoInspectRaw(`${secured.host}/pushed/app:v1.0`, secured),
    skopeoInspectRaw(`${secured.host}/coreos/kube-rbac-proxy:v1.0`, secured),
  ]);
  assert.equal(copied.digest, original.digest);
});
