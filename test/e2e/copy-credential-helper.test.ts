import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage } from './fixtures.js';
import { runCli } from './load-harness.js';

/*
 * Docker credential helpers (`credHelpers`, `credsStore` in the docker config file) for `copy`,
 * with helper scripts of this suite's own on PATH, against a real registry that wants a password.
 */

let source: TestRegistry;
let target: TestRegistry;
let built: BuiltImage;
let dir: string;
let log: string;

/** Answers for PB_HELPER_HOST only, as Docker's helpers do; logs every host it is asked for. */
const HELPER = `#!/bin/sh
read host
echo "$1 $host" >> "$PB_HELPER_LOG"
if [ "$1" = get ] && [ "$host" = "$PB_HELPER_HOST" ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$host" "$PB_HELPER_USER" "$PB_HELPER_SECRET"
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
  [source, target] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
  built = await pushImage(dockerImage, source, 'helped/app:v1');
  dir = await mkdtemp(join(tmpdir(), 'pb-cred-helper-'));
  await mkdir(join(dir, 'bin'));
  for (const [name, text] of [
    ['docker-credential-pbtest', HELPER],
    ['docker-credential-pbbroken', BROKEN],
  ] as const) {
    await writeFile(join(dir, 'bin', name), text);
    await chmod(join(dir, 'bin', name), 0o755);
  }
  log = join(dir, 'helper.log');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function copyWithDockerConfig(name: string, config: object, repo: string) {
  const configDir = join(dir, name);
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
  await writeFile(log, '');
  const result = await runCli(['copy', `${source.host}/helped/app:v1`, `${target.host}/${repo}:v1`], {
    DOCKER_CONFIG: configDir,
    PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
    PB_HELPER_LOG: log,
    PB_HELPER_HOST: target.host,
    PB_HELPER_USER: target.username,
    PB_HELPER_SECRET: target.password,
  });
  return { ...result, asked: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
}

test('credHelpers: the host’s helper is run with the host on stdin, and its answer is the password', async () => {
  const result = await copyWithDockerConfig('cred-helpers', { credHelpers: { [target.host]: 'pbtest' } }, 'helped/by-host');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.asked, [`get ${target.host}`], 'only the target has a helper');
  assert.equal((await skopeoInspectRaw(`${target.host}/helped/by-host:v1`, target)).digest, built.digest);
  assert.equal(`${result.stdout}${result.stderr}`.includes(target.password ?? '?'), false);
});

test('credsStore: every host without a credHelpers entry asks it; "credentials not found" is anonymous', async () => {
  const result = await copyWithDockerConfig(
    'creds-store',
    { credsStore: 'pbtest', auths: { [target.host]: {}, [source.host]: {} } },
    'helped/by-store',
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.asked.sort(), [`get ${source.host}`, `get ${target.host}`].sort());
  assert.equal((await skopeoInspectRaw(`${target.host}/helped/by-store:v1`, target)).digest, built.digest);
});

test('a helper that fails is named with the host and its exit code, and nothing it printed is shown', async () => {
  const result = await copyWithDockerConfig('broken', { credHelpers: { [target.host]: 'pbbroken' } }, 'helped/broken');
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, new RegExp(`credential helper docker-credential-pbbroken \\(for ${target.host}\\) failed \\(exit code 3\\)`));
  assert.equal(`${result.stdout}${result.stderr}`.includes('leaked-helper'), false, result.stderr);
});

test('a helper that is not on PATH says so', async () => {
  const result = await copyWithDockerConfig('absent', { credHelpers: { [target.host]: 'pbabsent' } }, 'helped/absent');
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, new RegExp(`credential helper docker-credential-pbabsent \\(for ${target.host}\\) is not on PATH`));
});
