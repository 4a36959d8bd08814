import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { tags, workDir as inDir } from './image-syncer-kit.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';

/*
 * `picture-book image-syncer` end to end: the built CLI with image-syncer's own files against the
 * real registry (one with htpasswd auth), what it wrote checked with skopeo.
 */

let secured: TestRegistry; // htpasswd: the seed README's example runs on it (source and destination, as on quay.io)
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
  dir = await tempDir('pb-image-syncer-');
  for (const tag of ['v1.0', 'v2.0', 'v3.0'])
    await pushImage(tag === 'v2.0' ? dockerImage : ociImage, secured, `coreos/kube-rbac-proxy:${tag}`);
  await pushImage(ociImage, secured, 'other/app:v1');
  for (const tag of ['v1', 'v2', 'v3']) await pushImage(tag === 'v2' ? dockerImage : ociImage, source, `team/app:${tag}`);
});

after(async () => {
  const started = startedSoFar({ secured, source, first, second });
  await Promise.all([started.secured?.stop(), started.source?.stop(), started.first?.stop(), started.second?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const workDir = (name: string, files: Record<string, string>) => inDir(dir, name, files);

/** The seed README's auth.yaml, word for word but for the host of quay.io and the passwords. */
function readmeAuth(host: string): string {
  return [
    `${host}: # This "registry" or "registry/namespace" string should be the same as registry or registry/namespace used below in image sync rules. And if an url match multiple objects, the "registry/namespace" string will actually be used.`,
    '  username: xxx',
    '  password: xxxxxxxxx',
    '  insecure: true # Optional, "insecure" field needs to be true if this registry is a http service, default value is false.',
    'registry.cn-beijing.aliyuncs.com:',
    '  username: xxx # Optional, if the value string is a format of "${env}" or "$env", use the "env" environment variables as username.',
    '  password: xxxxxxxxx # Optional, if the value string is a format of "${env}" or "$env", use the "env" environment variables as password.',
    'docker.io:',
    '  username: "${env}"',
    '  password: "$env"',
    `${host}/coreos:`,
    '  username: abc',
    '  password: xxxxxxxxx',
    '  insecure: true',
    '',
  ].join('\n');
}

test("the seed README's example auth.yaml and images.yaml work unchanged (hosts and passwords aside): every form, namespace credentials by longest match", async () => {
  const digest = (await skopeoInspectRaw(`${secured.host}/coreos/kube-rbac-proxy:v3.0`, secured)).digest;
  const user = secured.username ?? '';
  const password = secured.password ?? '';
  // The host-wide entry's "xxx" is wrong here: only "registry/namespace" (the longer key) can pull coreos/, and the push to ruohe/ needs its own.
  const auth = readmeAuth(secured.host)
    .replace('  username: abc\n  password: xxxxxxxxx', `  username: ${user}\n  password: \${PULL_PW}`)
    .concat(`${secured.host}/ruohe:\n  username: ${user}\n  password: $PUSH_PW\n  insecure: true\n`);
  const images = [
    `${secured.host}/coreos/kube-rbac-proxy: ${secured.host}/ruohe/kube-rbac-proxy`,
    `${secured.host}/coreos/kube-rbac-proxy:v1.0: ${secured.host}/ruohe/kube-rbac-proxy`,
    `${secured.host}/coreos/kube-rbac-proxy:v1.0,v2.0: ${secured.host}/ruohe/kube-rbac-proxy`,
    `${secured.host}/coreos/kube-rbac-proxy@${digest}: ${secured.host}/ruohe/kube-rbac-proxy`,
    '',
  ].join('\n');
  const work = await workDir('readme', { 'auth.yaml': auth, 'images.yaml': images });
  const env = { PULL_PW: password, PUSH_PW: password, env: 'unused' };
  const result = await runCli(['image-syncer', '--auth', 'auth.yaml', '--images', 'images.yaml', '--log-format', 'json'], env, work);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await tags(secured, 'ruohe/kube-rbac-proxy'), ['v1.0', 'v2.0', 'v3.0'], 'every tag of the source');
  for (const tag of ['v1.0', 'v2.0', 'v3.0']) {
    const [copied, original] = await Promise.all([
      skopeoInspectRaw(`${secured.host}/ruohe/kube-rbac-proxy:${tag}`, secured),
      skopeoInspectRaw(`${secured.host}/coreos/kube-rbac-proxy:${tag}`, secured),
    ]);
    assert.equal(copied.digest, original.digest, `${tag} byte for byte`);
  }
  const byDigest = await skopeoInspectRaw(`${secured.host}/ruohe/kube-rbac-proxy@${digest}`, secured);
  assert.equal(byDigest.digest, digest);
  assert.ok(!result.stderr.includes(password), 'no password in the log');
  const events = jsonLines(result.stderr);
  assert.ok(events.some((e) => e.type === 'run-finished' && e.ok === true));
});

test('the same files as JSON under the default names (./auth.json, ./images.json), no flags; a second run is HEAD-only up to date; the older --config file', async () => {
  const password = secured.password ?? '';
  const auth = { [secured.host]: { username: secured.username, password: '${PW}', insecure: true } };
  const images = { [`${secured.host}/coreos/kube-rbac-proxy:v1.0,v3.0`]: `${secured.host}/json/kube-rbac-proxy:one,three` };
  const work = await workDir('json', { 'auth.json': JSON.stringify(auth, null, 2), 'images.json': JSON.stringify(images, null, 2) });
  const run = () => runCli(['image-syncer', '--log-format', 'json'], { PW: password }, work);
  const result = await run();
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await tags(secured, 'json/kube-rbac-proxy'), ['one', 'three'], 'the tags renamed in order');
  const [one, v1] = await Promise.all([
    skopeoInspectRaw(`${secured.host}/json/kube-rbac-proxy:one`, secured),
    skopeoInspectRaw(`${secured.host}/coreos/kube-rbac-proxy:v1.0`, secured),
  ]);
  assert.equal(one.digest, v1.digest);
  const again = jsonLines((await run()).stderr);
  assert.equal(again.filter((e) => e.type === 'image-skipped').length, 2, 'both up to date');
  assert.equal(again.filter((e) => e.type === 'image-done').length, 0);

  // The older single file (--config) with auth: and images:, JSON too.
  const older = { auth, images: { [`${secured.host}/coreos/kube-rbac-proxy:v2.0`]: `${secured.host}/older/kube-rbac-proxy` } };
  await writeFile(join(work, 'config.json'), JSON.stringify(older));
  const viaConfig = await runCli(['image-syncer', '--config', 'config.json'], { PW: password }, work);
  assert.equal(viaConfig.code, 0, viaConfig.stderr);
  assert.deepEqual(await tags(secured, 'older/kube-rbac-proxy'), ['v2.0']);
});

test('credentials: the longest matching key wins on both sides; a namespace without its own entry gets the host entry (here wrong: 401), the rest is copied', async () => {
  const user = secured.username ?? '';
  const password = secured.password ?? '';
  const auth = [
    `${secured.host}: {username: ${user}, password: not-the-password, insecure: true}`,
    `${secured.host}/coreos: {username: ${user}, password: '${password}', insecure: true}`,
    `${secured.host}/creds: {username: ${user}, password: '${password}', insecure: true}`,
    '',
  ].join('\n');
  const images = [
    `${secured.host}/coreos/kube-rbac-proxy:v1.0: ${secured.host}/creds/ok`,
    `${secured.host}/other/app:v1: ${secured.host}/creds/other`,
    '',
  ].join('\n');
  const work = await workDir('longest', { 'auth.yaml': auth, 'images.yaml': images });
  const result = await runCli(['image-syncer', '--auth', 'auth.yaml', '--images', 'images.yaml', '--retries', '0'], {}, work);
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual(await tags(secured, 'creds/ok'), ['v1.0']);
  assert.deepEqual(await tags(secured, 'creds/other'), []);
  assert.match(result.stderr, new RegExp(`${secured.host}/other/app:v1 -> ${secured.host}/creds/other:v1: .*401`));
  assert.ok(!result.stderr.includes(password) && !result.stderr.includes('not-the-password'), 'no password in the log');
});

test('a tag list with renames, a list of destinations (one source, two registries), an empty destination: --registry wins over DEFAULT_REGISTRY', async () => {
  const images = [
    `${source.host}/team/app:v1,v2: ${first.host}/renamed/app:one,two`,
    `${source.host}/team/app:v3:`,
    `  - ${first.host}/multi/app`,
    `  - ${second.host}/multi/app`,
    `${source.host}/team/app:v1: ""`,
    '',
  ].join('\n');
  const work = await workDir('forms', { 'images.yaml': images });
  const result = await runCli(
    ['image-syncer', '--images', 'images.yaml', '--registry', first.host],
    { DEFAULT_REGISTRY: second.host },
    work,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /no auth file .*auth\.json does not exist.*anonymously/);
  assert.deepEqual(await tags(first, 'renamed/app'), ['one', 'two']);
  assert.deepEqual(await tags(first, 'multi/app'), ['v3']);
  assert.deepEqual(await tags(second, 'multi/app'), ['v3']);
  assert.deepEqual(await tags(first, 'team/app'), ['v1'], 'the empty destination: the default registry, the same path');
  assert.deepEqual(await tags(second, 'team/app'), [], 'DEFAULT_REGISTRY lost to --registry');
  const [two, v2] = await Promise.all([
    skopeoInspectRaw(`${first.host}/renamed/app:two`, first),
    skopeoInspectRaw(`${source.host}/team/app:v2`, source),
  ]);
  assert.equal(two.digest, v2.digest);

  const envOnly = await workDir('forms-env', { 'images.yaml': `${source.host}/team/app:v2: ''\n` });
  const fromEnv = await runCli(['image-syncer', '--images', 'images.yaml'], { DEFAULT_REGISTRY: second.host }, envOnly);
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.deepEqual(await tags(second, 'team/app'), ['v2'], 'DEFAULT_REGISTRY without the flag');
});

test('bad files: every problem at file:line:column naming the rule, exit 2, nothing copied', async () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const other = `sha256:${'b'.repeat(64)}`;
  const auth = `${source.host}:\n  username: u\n  passwd: p\n`;
  const images = [
    `${source.host}/team/app:v1,v2: ${first.host}/bad/app:a,b,c`,
    `${source.host}/team/app@${digest}: ${first.host}/bad/app@${other}`,
    `${source.host}/team/app: ${first.host}/bad/app:x`,
    `${source.host}/team/app:v1: ""`,
    `${source.host}/team/app:v2: ${first.host}/ok/app`,
    '',
  ].join('\n');
  const work = await workDir('bad', { 'auth.yaml': auth, 'images.yaml': images });
  const result = await runCli(['image-syncer', '--auth', 'auth.yaml', '--images', 'images.yaml'], { DEFAULT_REGISTRY: '' }, work);
  assert.equal(result.code, 2, result.stderr);
  const a = join(work, 'auth.yaml');
  const i = join(work, 'images.yaml');
  const col = `${source.host}/team/app:v1,v2: `.length + 1;
  assert.deepEqual(result.stderr.trim().split('\n'), [
    `${a}:3:3: ${source.host}.passwd: unknown key "passwd" (an auth entry has username, password, insecure)`,
    `${i}:1:${col}: ${source.host}/team/app:v1,v2: destination "${first.host}/bad/app:a,b,c" has 3 tags but the source names 2 (v1,v2): each source tag needs one new name, in order`,
    `${i}:2:${`${source.host}/team/app@${digest}: `.length + 1}: ${source.host}/team/app@${digest}: destination "${first.host}/bad/app@${other}" has digest ${other} but the source's digest is ${digest}: a target has no digest, or the source's`,
    `${i}:3:${`${source.host}/team/app: `.length + 1}: ${source.host}/team/app: destination "${first.host}/bad/app:x" renames tags, but the source names none: name them in the source ("repo:v1,v2"), or give the target no tag`,
    `${i}:4:${`${source.host}/team/app:v1: `.length + 1}: ${source.host}/team/app:v1: the destination is empty and there is no default registry: give --registry HOST or set DEFAULT_REGISTRY`,
  ]);
  assert.deepEqual(await tags(first, 'ok/app'), [], 'nothing copied, not even the good rule');

  const missing = await runCli(['image-syncer', '--images', 'nope.yaml'], {}, work);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim(), `${join(work, 'nope.yaml')}:0:0: images file not found`);
});
