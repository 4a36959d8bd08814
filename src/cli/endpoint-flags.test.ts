import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { endpointFromFlags } from './endpoint-flags.js';

let dir: string;
let env: NodeJS.ProcessEnv;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-flags-'));
  // No ~/.docker/config.json of the machine running the test.
  env = { DOCKER_CONFIG: dir };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'ca.pem'),
      '-days',
      '3',
      '-subj',
      '/CN=test-ca',
    ],
    { stdio: 'ignore' },
  );
});
after(() => rm(dir, { recursive: true, force: true }));

test('copy flags: none give the defaults (credentials looked for, none found); each flag sets its option', async () => {
  assert.deepEqual(await endpointFromFlags('reg.example', {}, 'src', env), { credentials: undefined });
  const ca = join(dir, 'ca.pem');
  const options = await endpointFromFlags(
    'reg.example',
    { insecure: true, tlsVerify: false, caFile: ca, creds: 'bot:Flag-Pw-1' },
    'dest',
    env,
  );
  assert.equal(options.credentials?.password, 'Flag-Pw-1');
  assert.deepEqual({ ...options, credentials: undefined }, { credentials: undefined, insecure: true, tlsVerify: false, caFile: ca });
  assert.deepEqual(
    await endpointFromFlags('reg.example', { tlsVerify: true, caFile: '' }, 'src', env),
    { credentials: undefined },
    'the default value and an empty path set nothing',
  );
});

test('copy flags: an auth file is matched by host; a CA file without a certificate is a usage error naming the flag', async () => {
  await writeFile(
    join(dir, 'auth.json'),
    JSON.stringify({ auths: { 'reg.example': { auth: Buffer.from('file-user:File-Pw-2').toString('base64') } } }),
  );
  assert.equal(
    (await endpointFromFlags('reg.example', { authfile: join(dir, 'auth.json') }, 'src', env)).credentials?.username,
    'file-user',
  );
  assert.equal((await endpointFromFlags('other.example', { authfile: join(dir, 'auth.json') }, 'src', env)).credentials, undefined);
  await assert.rejects(
    endpointFromFlags('reg.example', { caFile: join(dir, 'key.pem') }, 'src', env),
    (e: unknown) => (e as { code?: string }).code === 'USAGE' && (e as Error).message.startsWith('--src-ca-file: CA file is a private key'),
  );
});
