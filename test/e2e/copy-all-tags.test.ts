import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  pushImage,
  pushRawImage,
  skopeoInspectRaw,
  skopeoListTags,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
} from '../harness/index.js';
import { VirtualScreen } from '../../src/display/virtual-screen.js';
import { dockerImage, ociImage, ociIndex } from './fixtures.js';
import { CLI, runCli, runCliInPty } from './load-harness.js';
import { largestBlob, waitFor } from './stop-kit.js';
import { trackChild } from '../harness/procs.js';
import { spawn } from 'node:child_process';
import { useProxiedPair } from './proxied-pair.js';

// `picture-book copy --all-tags SRC-REPO DST-REPO`: every tag of a repository (the filter flags
// choosing among them) against the real registry, checked with skopeo.
const TAGS = ['v1.0.0', 'v1.1.0', 'v2.0.0', 'v2.1.0-rc.1', 'latest', 'main'];
const digests = new Map<string, string>();
let index: BuiltImage;
let oci: BuiltImage;

const pair = useProxiedPair(async ({ source }) => {
  // One repository: never two pushes into it at once. Four different images, two tags sharing one.
  oci = await pushImage(ociImage, source, 'team/app:v1.0.0');
  digests.set('v1.0.0', oci.digest);
  digests.set('v1.1.0', (await pushImage(dockerImage, source, 'team/app:v1.1.0')).digest);
  index = await pushImage(ociIndex, source, 'team/app:v2.0.0');
  digests.set('v2.0.0', index.digest);
  digests.set('v2.1.0-rc.1', (await pushRawImage(source, 'team/app:v2.1.0-rc.1', { seed: 'rc' })).digest);
  digests.set('latest', (await pushImage(ociImage, source, 'team/app:latest')).digest);
  digests.set('main', (await pushRawImage(source, 'team/app:main', { seed: 'main' })).digest);
});

const src = (): string => `${pair.sourceProxy.host}/team/app`;
const dst = (path: string): string => `${pair.targetProxy.host}/${path}`;
const sorted = (tags: readonly string[]): string[] => [...tags].sort();

/** Writes to a registry: what a dry run must never send. */
const writes = (proxy: FaultProxy): string[] =>
  proxy.requests.filter((r) => !['GET', 'HEAD'].includes(r.method)).map((r) => `${r.method} ${r.path}`);

/** GETs of manifests or blobs: what a no-change run must never send. */
const contentGets = (proxy: FaultProxy): string[] =>
  proxy.requests.filter((r) => r.method === 'GET' && /\/(manifests|blobs)\//.test(r.path)).map((r) => r.path);

async function assertMirrored(path: string, tags: readonly string[], target: TestRegistry = pair.target): Promise<void> {
  assert.deepEqual(sorted(await skopeoListTags(`${target.host}/${path}`, target)), sorted(tags), `tags of ${path}`);
  for (const tag of tags) {
    assert.equal((await skopeoInspectRaw(`${target.host}/${path}:${tag}`, target)).digest, digests.get(tag), `${path}:${tag}`);
  }
}

test('every tag is copied under its own name (skopeo lists the same tags, each with the source digest); a second run is all up to date: one paged tags/list walk and HEADs, no GET of a manifest or blob', async () => {
  const first = await runCli(['copy', '--all-tags', src(), dst('mirror/app')]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.deepEqual(sorted(await skopeoListTags(`${pair.source.host}/team/app`, pair.source)), sorted(TAGS));
  await assertMirrored('mirror/app', TAGS);
  const lines = first.stdout.split('\n');
  assert.equal(lines[0], `${src()}: 6 tags listed, 6 selected`);
  for (const tag of TAGS)
    assert.ok(
      lines.some((l) => l.startsWith(`copied ${src()}:${tag} -> ${dst('mirror/app')}:${tag} (`)),
      tag,
    );
  assert.ok(lines.includes('images: 6 copied, 0 up to date, 0 failed'), first.stdout);
  assert.equal(first.stdout.includes('\x1b'), false, 'no escape sequence in a pipe');

  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  // The source pages its tags two at a time, as a registry honouring `n` would.
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: /\/tags\/list/,
    times: 10,
    action: { kind: 'paginate', field: 'tags', size: 2 },
  });
  try {
    // The tags' own checks; signatures and attestations (a listing per image) are counted in copy-referrers-*.test.ts.
    const again = await runCli(['copy', '--all-tags', '--no-referrers', src(), dst('mirror/app')]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stdout.includes('images: 0 copied, 6 up to date, 0 failed'), again.stdout);
    for (const tag of TAGS) assert.ok(again.stdout.includes(`up to date ${src()}:${tag} -> ${dst('mirror/app')}:${tag} (`), tag);
  } finally {
    pair.sourceProxy.clearFaults();
  }
  assert.equal(pair.sourceProxy.count('GET', /\/tags\/list/), 3, 'three pages of two tags');
  assert.equal(pair.sourceProxy.count('HEAD', /\/manifests\//), 6);
  assert.equal(pair.targetProxy.count('HEAD', /\/manifests\//), 6);
  assert.deepEqual([...contentGets(pair.sourceProxy), ...contentGets(pair.targetProxy)], []);
  assert.deepEqual(writes(pair.targetProxy), []);
});

test('each filter flag alone and combined, in the documented order; --include repeats', async () => {
  const cases: Array<{ path: string; flags: string[]; kept: string[] }> = [
    { path: 'f/include', flags: ['--include', 'v1\\..*'], kept: ['v1.0.0', 'v1.1.0'] },
    { path: 'f/includes', flags: ['--include', 'v1\\.0\\..*', '--include', 'main'], kept: ['main', 'v1.0.0'] },
    { path: 'f/exclude', flags: ['--exclude', '.*-rc.*', '--exclude', 'latest|main'], kept: ['v1.0.0', 'v1.1.0', 'v2.0.0'] },
    { path: 'f/semver', flags: ['--semver', '>=1.1 <3'], kept: ['v1.1.0', 'v2.0.0'] },
    // A prerelease counts for --latest (it is above v2.0.0).
    { path: 'f/latest', flags: ['--latest', '2'], kept: ['v2.0.0', 'v2.1.0-rc.1'] },
    {
      path: 'f/combined',
      flags: ['--include', 'v.*', '--exclude', '.*-rc.*', '--semver', '>=1', '--latest', '2'],
      kept: ['v1.1.0', 'v2.0.0'],
    },
  ];
  for (const { path, flags, kept } of cases) {
    const result = await runCli(['copy', '--all-tags', ...flags, src(), dst(path)]);
    assert.equal(result.code, 0, `${flags.join(' ')}: ${result.stderr}`);
    await assertMirrored(path, kept);
    assert.match(result.stdout, new RegExp(`^${src()}: 6 tags listed, ${kept.length} selected, ${6 - kept.length} dropped \\(`, 'm'));
  }
});

test('--dry-run writes nothing: tags selected, dropped by which flag (each tag with -v, flag by flag in the order they apply), and copy / up to date per tag', async () => {
  pair.targetProxy.clearRequests();
  const fresh = await runCli(['copy', '--all-tags', '--dry-run', '-v', '--exclude', 'main', '--latest', '3', src(), dst('dry/app')]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.deepEqual(writes(pair.targetProxy), []);
  const lines = fresh.stdout.split('\n');
  assert.equal(lines[0], `${src()}: 6 tags listed, 3 selected, 3 dropped (1 by --exclude, 2 by --latest)`);
  assert.deepEqual(lines.slice(1, 4), [
    '  dropped main by --exclude: matches exclude "main"',
    '  dropped latest by --latest: not a semantic version',
    '  dropped v1.0.0 by --latest: not among the 3 highest versions',
  ]);
  for (const tag of ['v1.1.0', 'v2.0.0', 'v2.1.0-rc.1'])
    assert.ok(lines.includes(`would copy ${src()}:${tag} -> ${dst('dry/app')}:${tag}`), tag);
  assert.ok(lines.includes('images: 3 would copy, 0 up to date, 0 failed (dry run)'), fresh.stdout);
  const catalog = (await (await fetch(`${pair.target.url}/v2/_catalog`)).json()) as { repositories: string[] };
  assert.equal(catalog.repositories.includes('dry/app'), false, 'the dry run created no repository');

  // Without -v only the counts; against a filled target (filled here: the test stands alone), up to date per tag.
  const fill = await runCli(['copy', '--all-tags', '--include', 'v1\\.0\\..*', src(), dst('dry/filled')]);
  assert.equal(fill.code, 0, fill.stderr);
  pair.targetProxy.clearRequests();
  const filled = await runCli(['copy', '--all-tags', '--dry-run', '--include', 'v1\\..*', src(), dst('dry/filled')]);
  assert.equal(filled.code, 0, filled.stderr);
  assert.equal(filled.stdout.split('\n')[0], `${src()}: 6 tags listed, 2 selected, 4 dropped (4 by --include)`);
  assert.equal(filled.stdout.includes('dropped latest'), false);
  assert.ok(filled.stdout.includes(`up to date ${src()}:v1.0.0 -> ${dst('dry/filled')}:v1.0.0`), filled.stdout);
  assert.ok(filled.stdout.includes(`would copy ${src()}:v1.1.0 -> ${dst('dry/filled')}:v1.1.0`), filled.stdout);
  assert.ok(filled.stdout.includes('images: 1 would copy, 1 up to date, 0 failed (dry run)'), filled.stdout);
  assert.deepEqual(writes(pair.targetProxy), []);
});

test('bad flag values and arguments: exit 2 naming the flag or argument, before any request', async () => {
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const cases: Array<{ args: string[]; error: RegExp }> = [
    { args: ['--include', 'v('], error: /^picture-book: error: --include: invalid regular expression "v\(": Unterminated group$/ },
    { args: ['--include', 'v.*', '--exclude', '[z-a]'], error: /^picture-book: error: --exclude: invalid regular expression "\[z-a\]": / },
    { args: ['--semver', 'three'], error: /^picture-book: error: --semver: invalid semver range "three"/ },
    { args: ['--latest', '0'], error: /^picture-book: error: --latest: must be a whole number of at least 1, got "0"$/ },
    { args: ['--latest', 'two'], error: /^picture-book: error: --latest: must be a whole number of at least 1, got "two"$/ },
    { args: ['--platform', 'linux'], error: /^picture-book: error: --platform: invalid platform "linux"/ },
  ];
  for (const { args, error } of cases) {
    const result = await runCli(['copy', '--all-tags', ...args, src(), dst('bad/app')]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr.trim(), error);
  }
  const tagged = await runCli(['copy', '--all-tags', `${src()}:v1.0.0`, dst('bad/app')]);
  assert.equal(tagged.code, 2);
  assert.match(
    tagged.stderr,
    /--all-tags copies every tag of a repository into a repository: the source ".*:v1\.0\.0" names a tag "v1\.0\.0"; write /,
  );
  const targetTagged = await runCli(['copy', '--all-tags', src(), `${dst('bad/app')}:v1`]);
  assert.equal(targetTagged.code, 2);
  assert.match(targetTagged.stderr, /the target ".*bad\/app:v1" names a tag "v1"/);
  const noAllTags = await runCli(['copy', '--include', 'v.*', '--latest', '1', `${src()}:v1.0.0`, dst('bad/app')]);
  assert.equal(noAllTags.code, 2);
  assert.match(noAllTags.stderr, /--include, --latest filter the tags of --all-tags: add --all-tags/);
  assert.equal(pair.sourceProxy.requests.length + pair.targetProxy.requests.length, 0, 'no request was sent');
});

test('a source repository that does not exist: exit 1 with the registry answer, nothing copied', async () => {
  const result = await runCli(['copy', '--all-tags', `${pair.source.host}/team/nope`, dst('nope/app')]);
  assert.equal(result.code, 1);
  assert.match(result.stderr.trim(), new RegExp(`^picture-book: error: ${pair.source.host}/team/nope: repository not found \\(.*404`));
});

test('one tag that fails does not stop the others: exit 1, the failure listed in the summary', async (t) => {
  const broken = digests.get('main') ?? '';
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/manifests/${broken}`),
    times: 10,
    action: { kind: 'status', status: 403 },
  });
  t.after(() => pair.sourceProxy.clearFaults());
  const result = await runCli(['copy', '--all-tags', '--exclude', 'v2.*', src(), dst('partial/app')]);
  assert.equal(result.code, 1, result.stdout);
  await assertMirrored('partial/app', ['latest', 'v1.0.0', 'v1.1.0']);
  assert.ok(result.stdout.includes('images: 3 copied, 0 up to date, 1 failed'), result.stdout);
  assert.match(
    result.stdout,
    new RegExp(`^failed images \\(1\\):\\n  \\[${pair.targetProxy.host}\\] ${src()}:main -> ${dst('partial/app')}:main: .*403`, 'm'),
  );
});

test('--platform and --force apply to every selected tag', async () => {
  const arm64 = index.children?.[1]?.digest;
  assert.ok(arm64);
  const result = await runCli([
    'copy',
    '--all-tags',
    '--include',
    'v2\\.0\\.0|main',
    '--platform',
    'linux/arm64/v8',
    src(),
    dst('arm/app'),
  ]);
  assert.equal(result.code, 1, 'main is a single-platform amd64 image: --platform linux/arm64/v8 fails it');
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/arm/app:v2.0.0`, pair.target)).digest, arm64, 'the arm64 child, tagged itself');
  assert.match(result.stdout, /failed images \(1\):\n.*:main -> .*arm\/app:main: /);

  const forced = await runCli(['copy', '--all-tags', '--force', '--include', 'v1\\..*', src(), dst('mirror/app')]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(forced.stdout.includes('images: 2 copied, 0 up to date, 0 failed'), forced.stdout);
});

test('on a terminal: the live view of load while copying, then the target registry line and the summary', async () => {
  const result = await runCliInPty(['copy', '--all-tags', '--exclude', 'main', src(), dst('tty/app')]);
  assert.equal(result.code, 0, result.stdout);
  const screen = new VirtualScreen();
  screen.write(result.stdout);
  const lines = screen.lines();
  assert.equal(lines[0], `${src()}: 6 tags listed, 5 selected, 1 dropped (1 by --exclude)`, lines.join('\n'));
  assert.match(lines[1] ?? '', new RegExp(`^✔ ${pair.targetProxy.host}  5 copied, 0 up to date, 0 failed of 5  `));
  assert.equal(lines[2], 'images: 5 copied, 0 up to date, 0 failed');
  assert.match(result.stdout, /all registries: \d\/5 images/, 'the overall line of the live block was drawn');
  assert.equal(screen.cursorVisible, true);
  await assertMirrored('tty/app', ['latest', 'v1.0.0', 'v1.1.0', 'v2.0.0', 'v2.1.0-rc.1']);
});

test('SIGINT once: no further tag starts and the copies under way go on; twice: they are aborted, their tags never written; exit 130', async (t) => {
  // v1.0.0 and latest are one image whose largest blob the source holds after 64 KiB; main is small.
  const base = largestBlob(oci);
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${base.digest}`),
    times: 1,
    action: { kind: 'stall', afterBytes: 64 * 1024 },
  });
  const child = spawn(process.execPath, [CLI, 'copy', '--all-tags', '--include', 'v1\\.0\\.0|latest|main', src(), dst('stop/app')], {
    env: { ...process.env, DOCKER_CONFIG: '/nonexistent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const out = { text: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  t.after(async () => {
    pair.sourceProxy.clearFaults();
    pair.sourceProxy.release();
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  await waitFor(
    () => pair.sourceProxy.stalled.length > 0 && out.text.includes(`copied ${src()}:main `),
    'main copied and the shared blob held',
  );
  child.kill('SIGINT');
  await waitFor(() => out.text.includes('SIGINT received: no further image starts'), 'the first SIGINT said');
  child.kill('SIGINT');
  assert.equal(await exited, 130, out.text);
  assert.match(out.text, /SIGINT again: aborting the copies under way/);
  assert.ok(
    out.text.includes(`cancelled ${src()}:v1.0.0 -> ${dst('stop/app')}:v1.0.0: the run is stopping, target tag left as it was`),
    out.text,
  );
  assert.ok(out.text.includes('images: 1 copied, 0 up to date, 0 failed, 2 cancelled (stopped)'), out.text);
  assert.deepEqual(await skopeoListTags(`${pair.target.host}/stop/app`, pair.target), ['main']);
});
