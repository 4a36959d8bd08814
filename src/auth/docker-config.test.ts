import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CredentialsError } from '../errors/index.js';
import { apiHost, parseRegistryHost } from '../reference/index.js';
import { normaliseAuthKey, parseDockerConfig, readDockerConfig, readDockerConfigFile } from './docker-config.js';

const SECRET = 'hunter2:x';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const entries = (auths: Map<string, { username: string; password: string }>) =>
  Object.fromEntries([...auths].map(([host, c]) => [host, `${c.username}/${c.password}`]));

const DOC = JSON.stringify({
  auths: {
    'https://index.docker.io/v1/': { auth: b64(`hubuser:${SECRET}`) },
    'quay.io': { username: 'quser', password: SECRET },
    'http://127.0.0.1:5000/v2/': { auth: b64('local:pw'), email: 'old@docker.example' },
    'ghcr.io': {},
    'gcr.io': { identitytoken: 'refresh-token-we-cannot-use' },
  },
  credsStore: 'desktop',
});

test('normaliseAuthKey reduces keys to the registry host', () => {
  const cases: Array<[string, string]> = [
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['https://quay.io', 'quay.io'],
    ['HTTPS://Quay.IO/', 'quay.io'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['localhost:5000', 'localhost:5000'],
    ['quay.io/org/repo', 'quay.io'],
    ['[::1]:5000', '[::1]:5000'],
  ];
  for (const [key, host] of cases) assert.equal(normaliseAuthKey(key), host, key);
});

test('parseDockerConfig reads raw JSON with auth and username/password entries', () => {
  const auths = parseDockerConfig(DOC);
  assert.deepEqual(
    entries(auths),
    {
      'docker.io': `hubuser/${SECRET}`,
      'quay.io': `quser/${SECRET}`,
      '127.0.0.1:5000': 'local/pw',
    },
    'entries with nothing usable ({} or an identitytoken) are skipped',
  );
});

test('parseDockerConfig reads base64 of the JSON, also when wrapped in lines', () => {
  assert.deepEqual(entries(parseDockerConfig(b64(DOC))), entries(parseDockerConfig(DOC)));
  const wrapped = b64(DOC).replace(/(.{76})/g, '$1\n');
  assert.ok(wrapped.includes('\n'));
  assert.deepEqual(entries(parseDockerConfig(`\n${wrapped}\n`)), entries(parseDockerConfig(DOC)));
});

test('"auth" wins over username/password in the same entry, as docker decides', () => {
  const auths = parseDockerConfig(JSON.stringify({ auths: { 'r.example': { auth: b64('a:b'), username: 'c', password: 'd' } } }));
  assert.equal(auths.get('r.example')?.username, 'a');
});

test('a whole-registry key wins over a namespace key of the same host, in any order', () => {
  const doc = { auths: { 'quay.io/org': { auth: b64('org:1') }, 'https://quay.io': { auth: b64('all:2') } } };
  assert.equal(parseDockerConfig(JSON.stringify(doc)).get('quay.io')?.username, 'all');
  const onlyNamespace = { auths: { 'quay.io/org': { auth: b64('org:1') } } };
  assert.equal(parseDockerConfig(JSON.stringify(onlyNamespace)).get('quay.io')?.username, 'org');
});

const invalid: Array<[string, string, string]> = [
  ['not JSON', '{"auths": ', 'DockerConfigJSON is not valid JSON'],
  ['neither JSON nor base64', 'user:hunter2', 'DockerConfigJSON is neither JSON nor base64-encoded JSON'],
  ['base64 of something else', b64('hunter2 plain text'), 'DockerConfigJSON is neither JSON nor base64-encoded JSON'],
  ['base64 of broken JSON', b64('{"auths": hunter2'), 'DockerConfigJSON (base64-decoded) is not valid JSON'],
  ['no auths', '{"credsStore": "desktop"}', 'DockerConfigJSON has no "auths" object'],
  ['auths is an array', '{"auths": []}', 'DockerConfigJSON has no "auths" object'],
  ['entry not an object', '{"auths": {"r.example": "hunter2"}}', 'DockerConfigJSON entry "r.example" is not an object'],
  ['auth not a string', '{"auths": {"r.example": {"auth": 42}}}', 'DockerConfigJSON entry "r.example": "auth" must be a string'],
  ['bad base64', '{"auths": {"r.example": {"auth": "hunter2!!"}}}', 'DockerConfigJSON entry "r.example": "auth" is not valid base64'],
  [
    'no colon after decoding',
    `{"auths": {"r.example": {"auth": "${b64('userhunter2')}"}}}`,
    'DockerConfigJSON entry "r.example": "auth" must be base64 of "username:password" (no ":" after decoding)',
  ],
  [
    'empty username',
    `{"auths": {"r.example": {"auth": "${b64(':hunter2')}"}}}`,
    'DockerConfigJSON entry "r.example": "auth" has an empty username',
  ],
  ['username only', '{"auths": {"r.example": {"username": "u"}}}', 'DockerConfigJSON entry "r.example" has "username" but no "password"'],
  [
    'password only',
    '{"auths": {"r.example": {"password": "hunter2"}}}',
    'DockerConfigJSON entry "r.example" has "password" but no "username"',
  ],
];

for (const [what, doc, message] of invalid) {
  test(`parseDockerConfig rejects ${what} without echoing the secret`, () => {
    assert.throws(
      () => parseDockerConfig(doc),
      (error: unknown) => {
        assert.ok(error instanceof CredentialsError);
        assert.equal(error.code, 'CREDENTIALS_INVALID');
        assert.equal(error.message, message);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
  });
}

const root = await mkdtemp(join(tmpdir(), 'picture-book-docker-config-'));
after(() => rm(root, { recursive: true, force: true }));

test('readDockerConfigFile reads $DOCKER_CONFIG/config.json first', async () => {
  const dir = join(root, 'explicit');
  await mkdir(dir);
  await writeFile(join(dir, 'config.json'), DOC);
  const auths = await readDockerConfigFile({ DOCKER_CONFIG: dir, HOME: join(root, 'nowhere') });
  assert.equal(auths.get('quay.io')?.username, 'quser');
});

test('readDockerConfigFile falls back to $HOME/.docker/config.json, also for an empty DOCKER_CONFIG', async () => {
  const home = join(root, 'home');
  await mkdir(join(home, '.docker'), { recursive: true });
  await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'r.example': { auth: b64('h:p') } } }));
  assert.equal((await readDockerConfigFile({ HOME: home })).get('r.example')?.password, 'p');
  assert.equal((await readDockerConfigFile({ HOME: home, DOCKER_CONFIG: '' })).get('r.example')?.username, 'h');
});

test('readDockerConfigFile: a missing file or one without auths means no credentials', async () => {
  assert.equal((await readDockerConfigFile({ HOME: join(root, 'missing') })).size, 0);
  const dir = join(root, 'helpers-only');
  await mkdir(dir);
  await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' } }));
  assert.equal((await readDockerConfigFile({ DOCKER_CONFIG: dir })).size, 0);
});

test('readDockerConfigFile: an invalid file is an error naming the file, not the secret', async () => {
  for (const [name, text, reason] of [
    ['broken-json', '{"auths": {"r.example": {"auth": "hunter2', 'is not valid JSON'],
    ['bad-entry', '{"auths": {"r.example": {"auth": "hunter2!!"}}}', 'DockerConfigJSON entry "r.example": "auth" is not valid base64'],
  ] as const) {
    const dir = join(root, name);
    await mkdir(dir);
    const file = join(dir, 'config.json');
    await writeFile(file, text);
    await assert.rejects(readDockerConfigFile({ DOCKER_CONFIG: dir }), (error: unknown) => {
      assert.ok(error instanceof CredentialsError);
      assert.equal(error.message, `${file}: ${reason}`);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
  }
});

test('readDockerConfigFile: a config.json that is a directory is an error naming the file', async () => {
  const dir = join(root, 'is-a-dir');
  await mkdir(join(dir, 'config.json'), { recursive: true });
  await assert.rejects(readDockerConfigFile({ DOCKER_CONFIG: dir }), new RegExp(`cannot read ${join(dir, 'config.json')}: EISDIR`));
});

test('an auths key and a reference name Docker Hub alike, by each of its names', () => {
  for (const name of [
    'docker.io',
    'index.docker.io',
    'registry-1.docker.io',
    'registry.hub.docker.com',
    'Registry.Hub.Docker.com',
    'quay.io',
    'localhost:5000',
  ]) {
    assert.equal(normaliseAuthKey(`https://${name}/v1/`), parseRegistryHost(name), name);
  }
  assert.equal(apiHost(parseRegistryHost('index.docker.io')), 'registry-1.docker.io');
  assert.equal(apiHost('quay.io'), 'quay.io');
});

test('readDockerConfig reads credHelpers (hosts normalised) and credsStore; a helper name that is not one is refused', async () => {
  const dir = join(root, 'helpers');
  await mkdir(dir);
  const file = join(dir, 'config.json');
  await writeFile(
    file,
    JSON.stringify({ credsStore: 'desktop', credHelpers: { 'https://index.docker.io/v1/': 'pass', 'Quay.io': 'ecr-login' } }),
  );
  const config = await readDockerConfig({ DOCKER_CONFIG: dir });
  assert.deepEqual(
    [...config.credHelpers],
    [
      ['docker.io', 'pass'],
      ['quay.io', 'ecr-login'],
    ],
  );
  assert.equal(config.credsStore, 'desktop');
  assert.equal(config.auths.size, 0);
  await writeFile(file, JSON.stringify({ credHelpers: { 'quay.io': '../../bin/sh' } }));
  await assert.rejects(readDockerConfig({ DOCKER_CONFIG: dir }), {
    code: 'CREDENTIALS_INVALID',
    message: `${file}: "credHelpers" entry "quay.io" must be a helper name (docker-credential-NAME), like "ecr-login"`,
  });
});
