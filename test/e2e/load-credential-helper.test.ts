import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';

/*
 * Docker credential helpers named in a DockerConfigJSON of config.yaml (`credHelpers`, `credsStore`)
 * for `load` (and every run of `sync`, which runs the same load), through the lookup `copy` uses for
 * the docker config file: helper scripts of this suite's own on PATH, real registries that want a
 * password on both sides.
 */

let source: TestRegistry;
let target: TestRegistry;
let app: BuiltImage;
let other: BuiltImage;
let dir: string;
let env: NodeJS.ProcessEnv;

/** Answers for the hosts listed in PB_HELPER_CREDS (`host user secret` lines), as Docker's helpers do; logs every ask. */
const HELPER = `#!/bin/sh
read host
echo "$1 $host" >> "$PB_HELPER_LOG"
line=$(grep -F "$host " "$PB_HELPER_CREDS" | head -n 1)
if [ "$1" = get ] && [ -n "$line" ]; then
  set -- $line
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$1" "$2" "$3"
  exit 0
fi
echo "credentials not found in native keychain"
exit 1
`;
/** A helper that breaks, printing what might be a secret. */
const BROKEN = `#!/bin/sh
echo "leaked-helper-output-42"
echo "leaked-helper-stderr-43" >&2
exit 3
`;

before(async () => {
  [source, target] = await Promise.all([startRegistry({ auth: 'htpasswd' }), startRegistry({ auth: 'htpasswd' })]);
  app = await pushImage(dockerImage, source, 'helped/app:v1');
  other = await pushImage(ociImage, source, 'helped/other:v1');
  dir = await tempDir('pb-load-helper-');
  await mkdir(join(dir, 'bin'));
  for (const [name, text] of [
    ['docker-credential-pbtest', HELPER],
    ['docker-credential-pbbroken', BROKEN],
  ] as const) {
    await writeFile(join(dir, 'bin', name), text);
    await chmod(join(dir, 'bin', name), 0o755);
  }
  const creds = join(dir, 'creds');
  await writeFile(creds, `${source.host} ${source.username} ${source.password}\n${target.host} ${target.username} ${target.password}\n`);
  env = { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, PB_HELPER_LOG: join(dir, 'helper.log'), PB_HELPER_CREDS: creds };
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(name: string, pull: object, push: object, repository: string) {
  const file = join(dir, `${name}.yaml`);
  const lines = [
    'registries:',
    `  - hostname: '${target.host}'`,
    `    repository: '${repository}'`,
    `    images: ['${source.host}/helped/app:v1', '${source.host}/helped/other:v1']`,
    `    pullAuthConfig: '${JSON.stringify(pull)}'`,
    `    pushAuthConfig: '${JSON.stringify(push)}'`,
    '',
  ];
  await writeFile(file, lines.join('\n'));
  await writeFile(env.PB_HELPER_LOG ?? '', '');
  const check = await runCli(['config', 'check', '--config', file], env);
  const result = await runCli(['load', '--config', file, '--all', '--log-format', 'json'], env);
  const asked = (await readFile(env.PB_HELPER_LOG ?? '', 'utf8')).split('\n').filter(Boolean);
  return { ...result, check, asked };
}

const present = (path: string) =>
  skopeoInspectRaw(`${target.host}/${path}`, target).then(
    (r) => r.digest,
    () => undefined,
  );

test('a pull credsStore and a push credHelpers entry are asked once per run each, and their answers are the passwords', async () => {
  const result = await load('helpers', { credsStore: 'pbtest' }, { credHelpers: { [target.host]: 'pbtest' } }, 'by-helper');
  assert.equal(result.check.code, 0, `config check: ${result.check.stdout}${result.check.stderr}`);
  assert.match(result.check.stdout, /valid/);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const finished = jsonLines(result.stdout).find((e) => e.type === 'run-finished');
  assert.deepEqual([finished?.copied, finished?.failed], [2, 0]);
  assert.equal(await present('by-helper/helped/app:v1'), app.digest);
  assert.equal(await present('by-helper/helped/other:v1'), other.digest);
  assert.deepEqual(result.asked.sort(), [`get ${source.host}`, `get ${target.host}`].sort(), 'two images, one ask per host');
  for (const secret of [source.password, target.password]) {
    assert.equal((result.stdout + result.stderr).includes(secret ?? '\u0000'), false, 'a helper’s password leaked');
  }
});

test('a helper that fails fails the images that need it with CREDENTIAL_HELPER_FAILED, naming it and the host, never what it printed', async () => {
  const result = await load('broken', { credsStore: 'pbtest' }, { credHelpers: { [target.host]: 'pbbroken' } }, 'broken');
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const failures = jsonLines(result.stdout).filter((e) => e.type === 'image-failed');
  assert.equal(failures.length, 2, result.stdout);
  for (const failure of failures) {
    assert.deepEqual(failure.error, {
      code: 'CREDENTIAL_HELPER_FAILED',
      message: `credential helper docker-credential-pbbroken (for ${target.host}) failed (exit code 3)`,
    });
  }
  assert.equal(`${result.stdout}${result.stderr}`.includes('leaked-helper'), false);
  assert.equal(await present('broken/helped/app:v1'), undefined);
});
