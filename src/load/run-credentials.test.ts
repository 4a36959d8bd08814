import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Credentials } from '../auth/credentials.js';
import { parseAuthSetting } from '../config/auth-setting.js';
import { PictureBookError } from '../errors/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';
import { RunCredentials } from './run-credentials.js';

test('a DockerConfigJSON of config.yaml asks its credHelpers entry, else its credsStore, else its auths; once per helper and host in a run; a failure is asked again', async () => {
  const asked: string[] = [];
  let failNext = true;
  const credentials = new RunCredentials(async (name, server) => {
    asked.push(`${name} ${server}`);
    if (name === 'flaky' && failNext) {
      failNext = false;
      throw new PictureBookError('CREDENTIAL_HELPER_FAILED', 'credential helper docker-credential-flaky (for x) failed (exit code 1)');
    }
    return name === 'none' ? undefined : new Credentials(`${name}-user`, `${name}-s3cret-from-helper`);
  });
  const setting = parseAuthSetting(
    JSON.stringify({
      auths: { 'plain.example': { username: 'plain', password: 'plain-pw' } },
      credHelpers: { 'ecr.example': 'ecr', 'flaky.example': 'flaky', 'https://index.docker.io/v1/': 'hub' },
    }),
  );
  assert.equal((await credentials.resolve(setting, 'plain.example'))?.username, 'plain');
  assert.equal((await credentials.resolve(setting, 'other.example'))?.username, undefined, 'no entry, no helper: anonymous');
  const [a, b] = await Promise.all([credentials.resolve(setting, 'ecr.example'), credentials.resolve(setting, 'ecr.example')]);
  assert.equal(a?.username, 'ecr-user');
  assert.equal(b, a);
  assert.equal((await credentials.resolve(setting, 'docker.io'))?.username, 'hub-user');
  await assert.rejects(credentials.resolve(setting, 'flaky.example'), { code: 'CREDENTIAL_HELPER_FAILED' });
  assert.equal((await credentials.resolve(setting, 'flaky.example'))?.username, 'flaky-user', 'asked again after failing');
  assert.deepEqual(asked, ['ecr ecr.example', 'hub https://index.docker.io/v1/', 'flaky flaky.example', 'flaky flaky.example']);
  assert.equal(processScrubber.scrub('echo ecr-s3cret-from-helper'), 'echo ***', 'a helper’s answer is a secret');

  const store = parseAuthSetting(JSON.stringify({ credsStore: 'none' }));
  assert.equal(store?.kind, 'docker-config');
  assert.equal(await credentials.resolve(store, 'any.example'), undefined, '"not found" is anonymous');
  assert.equal(
    (await new RunCredentials(async () => new Credentials('u', 'p1234')).resolve(parseAuthSetting('bot:pw'), 'x'))?.username,
    'bot',
  );
});

test('a helper asked by run after run: the newest token is masked, the ones before are let go (not one per run for ever)', async () => {
  let run = 0;
  const ask = async () => new Credentials('rotating-user', `rotating-token-${run}-aaaa`);
  const setting = parseAuthSetting(JSON.stringify({ credHelpers: { 'cloud.example': 'rotating' } }));
  for (run = 1; run <= 3; run++) await new RunCredentials(ask).resolve(setting, 'cloud.example');
  assert.equal(processScrubber.scrub('rotating-token-3-aaaa'), '***', 'the newest token is masked');
  assert.equal(processScrubber.scrub('rotating-token-1-aaaa rotating-token-2-aaaa'), 'rotating-token-1-aaaa rotating-token-2-aaaa');
  // The same token asked again stays masked: the new hold comes before the old one is released.
  run = 3;
  await new RunCredentials(ask).resolve(setting, 'cloud.example');
  assert.equal(processScrubber.scrub('rotating-token-3-aaaa'), '***');
});
