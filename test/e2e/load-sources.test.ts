import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';

// A source (pull side) registry behind TLS with a private CA and htpasswd: reached through the
// config's `sources:` entry for its host, not through the target's TLS settings.
let source: TestRegistry;
let target: TestRegistry;
let dir: string;
let built: BuiltImage;
let env: NodeJS.ProcessEnv;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ tls: true, auth: 'htpasswd' }), startRegistry()]);
  built = await pushImage(ociImage, source, 'library/app:v1');
  dir = await tempDir('pb-load-sources-');
  env = { PB_SOURCE_PASSWORD: source.password ?? '' };
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, repository: string, extra: string[]): Promise<string> {
  const file = join(dir, name);
  const lines = [
    'registries:',
    `  - hostname: '${target.host}'`,
    `    repository: '${repository}'`,
    `    images: ['${source.host}/library/app:v1']`,
    ...extra,
    '',
  ];
  await writeFile(file, lines.join('\n'));
  return file;
}

const present = (path: string) =>
  skopeoInspectRaw(`${target.host}/${path}`, target).then(
    (r) => r.digest,
    () => undefined,
  );

test("load pulls from a TLS source trusted through sources.<host>.caFile, with that host's own auth", async () => {
  const config = await writeConfig('with-ca.yaml', 'tls-ca', [
    'sources:',
    `  '${source.host}':`,
    `    caFile: '${source.caFile}'`,
    `    auth: '${source.username}:\${PB_SOURCE_PASSWORD}'`,
  ]);
  const result = await runCli(['load', '--config', config, '--all', '--log-format', 'json'], env);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const finished = jsonLines(result.stdout).find((e) => e.type === 'run-finished');
  assert.deepEqual([finished?.copied, finished?.failed], [1, 0]);
  assert.equal(await present('tls-ca/library/app:v1'), built.digest);
  assert.equal((result.stdout + result.stderr).includes(source.password ?? '\u0000'), false, 'the source password leaked');
});

test('without a sources entry the same load fails with a certificate error naming the image', async () => {
  const config = await writeConfig('without-ca.yaml', 'tls-none', [`    pullAuthConfig: '${source.username}:\${PB_SOURCE_PASSWORD}'`]);
  const result = await runCli(['load', '--config', config, '--all'], env);
  assert.equal(result.code, 1);
  const failure = result.stdout.split('\n').find((line) => line.includes(' FAILED '));
  assert.ok(failure, result.stdout);
  assert.ok(failure.includes(`${source.host}/library/app:v1`), failure);
  assert.match(failure, /certificate/i);
  assert.equal(await present('tls-none/library/app:v1'), undefined);
  assert.equal((result.stdout + result.stderr).includes(source.password ?? '\u0000'), false, 'the source password leaked');
});

test('sources.<host>.tlsVerify: false also reaches it (and the target keeps its own settings)', async () => {
  const config = await writeConfig('no-verify.yaml', 'tls-noverify', [
    `    pullAuthConfig: '${source.username}:\${PB_SOURCE_PASSWORD}'`,
    'sources:',
    `  '${source.host}': {tlsVerify: false}`,
  ]);
  const result = await runCli(['load', '--config', config, '--all'], env);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(await present('tls-noverify/library/app:v1'), built.digest);
});
