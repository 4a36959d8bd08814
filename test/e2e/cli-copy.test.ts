import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { trackChild } from '../harness/procs.js';
import { ociImage } from './fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    trackChild(child); // killed with this test file if it is stopped
  });
}

let source: TestRegistry;
let target: TestRegistry;
let built: BuiltImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
  built = await pushImage(ociImage, source, 'library/app:v1');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('copy prints what it did; a second copy says up to date', async () => {
  const creds = `${target.username}:${target.password}`;
  const first = await cli(['copy', `${source.host}/library/app:v1`, `${target.host}/mirror/app:v1`, '--dest-creds', creds]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^copied ${source.host}/library/app:v1 -> ${target.host}/mirror/app:v1`, 'm'));
  assert.match(first.stdout, new RegExp(`digest ${built.digest}`));
  assert.match(first.stdout, /blobs: \d+ copied, 0 already present, 0 mounted/);
  assert.match(first.stdout, /\d+(\.\d+)? (KiB|MiB) in \d/);
  assert.equal((await skopeoInspectRaw(`${target.host}/mirror/app:v1`, target)).digest, built.digest);

  const second = await cli(['copy', `${source.host}/library/app:v1`, `${target.host}/mirror/app:v1`, '--dest-creds', creds]);
  assert.equal(second.code, 0);
  assert.match(second.stdout, /^up to date: .* already has sha256:[0-9a-f]{64}/);

  const forced = await cli(['copy', `${source.host}/library/app:v1`, `${target.host}/mirror/app:v1`, '--dest-creds', creds, '--force']);
  assert.equal(forced.code, 0);
  assert.match(forced.stdout, /^copied /);
});

test('failures: one clear line and a non-zero exit code, never the password', async () => {
  const wrong = `${target.username}:not-the-password`;
  const denied = await cli(['copy', `${source.host}/library/app:v1`, `${target.host}/mirror/denied:v1`, '--dest-creds', wrong]);
  assert.equal(denied.code, 1);
  assert.equal(denied.stderr.trim().split('\n').length, 1);
  assert.match(denied.stderr, /^picture-book: error: 127\.0\.0\.1:\d+: credentials for user "tester" were rejected by this registry/);
  assert.equal(denied.stderr.includes('not-the-password'), false);

  const missing = await cli(['copy', `${source.host}/library/app:nope`, `${target.host}/mirror/x:v1`]);
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr.trim(),
    `picture-book: error: image ${source.host}/library/app:nope not found: repository ${source.host}/library/app has no tag "nope"`,
  );

  const unreachable = await cli(['copy', '127.0.0.1:9/library/app:v1', `${target.host}/mirror/x:v1`]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^picture-book: error: .*127\.0\.0\.1:9.*ECONNREFUSED/);

  const bad = await cli(['copy', 'Not/A:Valid:Ref', `${target.host}/mirror/x:v1`]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^picture-book: error: source: invalid reference "Not\/A:Valid:Ref"/);
});

test('flags naming files: a missing auth file or CA file, an auth file that is not JSON, a private key as CA: exit 2 naming the flag and the file, nothing copied', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-copy-flags-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = join(dir, 'registry.key');
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', key], { stdio: 'ignore' });
  const notJson = join(dir, 'auth.json');
  await writeFile(notJson, '{"auths": {');
  const src = `${source.host}/library/app:v1`;
  const dst = `${target.host}/flags/app:v1`;
  const creds = ['--dest-creds', `${target.username}:${target.password}`];
  const cases: Array<[string[], string]> = [
    [['--src-authfile', '/nonexistent/auth.json'], '--src-authfile: auth file not found: /nonexistent/auth.json'],
    [['--dest-authfile', dir], `--dest-authfile: auth file is a directory, not a file: ${dir}`],
    [['--dest-authfile', notJson], `--dest-authfile: auth file ${notJson}: DockerConfigJSON is not valid JSON`],
    [['--src-ca-file', '/nonexistent/ca.pem', ...creds], '--src-ca-file: CA file not found: /nonexistent/ca.pem'],
    [
      ['--dest-ca-file', key, ...creds],
      `--dest-ca-file: CA file is a private key, not a CA certificate: ${key} (give the CA's certificate: a PEM "BEGIN CERTIFICATE" block)`,
    ],
    [
      ['--dest-ca-file', notJson, ...creds],
      `--dest-ca-file: CA file is not a CA certificate: ${notJson} (no PEM "BEGIN CERTIFICATE" block; a DER file converts with openssl x509 -inform der -in FILE)`,
    ],
  ];
  for (const [flags, message] of cases) {
    const result = await cli(['copy', src, dst, ...flags]);
    assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr, `picture-book: error: ${message}\n`);
  }
  assert.equal(
    await skopeoInspectRaw(dst, target).then(
      () => 'present',
      () => 'absent',
    ),
    'absent',
  );
});
