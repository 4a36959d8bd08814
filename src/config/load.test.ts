import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigError } from '../errors/index.js';
import { reg, useConfigDir } from './config-test-kit.js';
import { loadConfig, redactConfig, resolveConfigPath } from './index.js';

const configDir = useConfigDir('pb-config-');
const { load, problems } = configDir;

const SEED = `# The seed's sample, as given
registries:
  -
    hostname: 'my-registry.com'
    repository: 'test-images'
    pullAuthConfig: 'testuser:testpassword'
    pushAuthConfig: '{"auths": {"my-registry.com": {"auth": "${Buffer.from('pusher:pw').toString('base64')}"}}}'
    syncPeriod: '*/1 * * * *'
    syncerScript: 'list.sh'
    syncerScriptArgs: '--all "two words"'
    deleteLocalImages: true
display: "spinner"
api:
  enabled: true
  port: 8001
  enableAuth: true
  authToken: this-is-a-token-lol
`;

test("the seed's sample config loads with its meaning", async () => {
  const { file, result } = await load(SEED);
  const { config, warnings } = await result;
  const r = config.registries[0];
  assert.ok(r);
  assert.equal(config.file, file);
  assert.equal(r.hostname, 'my-registry.com');
  assert.equal(r.repository, 'test-images');
  assert.equal(r.syncPeriod, '*/1 * * * *');
  assert.equal(r.syncerScript, join(configDir.path, 'list.sh'), 'resolved next to the config file');
  assert.equal(r.syncerScriptArgs, '--all "two words"');
  assert.equal(r.line, 4);
  assert.deepEqual([r.syncerScriptMaxLineBytes, r.syncerScriptMaxLines], [8192, 100_000], 'documented defaults');
  assert.equal(r.pullAuth?.kind, 'userpass');
  assert.equal(r.pullAuth.credentials.username, 'testuser');
  assert.equal(r.pushAuth?.kind === 'docker-config' && r.pushAuth.auths.get('my-registry.com')?.username, 'pusher');
  assert.equal(config.display, 'spinner');
  assert.deepEqual(config.api, {
    enabled: true,
    port: 8001,
    enableAuth: true,
    authToken: 'this-is-a-token-lol',
    host: '127.0.0.1',
    distributeAllowedNetworks: ['loopback'],
  });
  assert.deepEqual(warnings, ['deleteLocalImages has no effect: picture-book is daemonless and keeps no local images to delete']);
  const redacted = JSON.stringify(redactConfig(config));
  for (const secret of ['testpassword', 'this-is-a-token-lol', 'pw', Buffer.from('pusher:pw').toString('base64')]) {
    assert.equal(redacted.includes(`"${secret}"`) || redacted.includes(secret + '"'), false, `redacted view leaks ${secret}`);
  }
});

test('a base64 DockerConfigJSON and ${VAR} expansion', async () => {
  const doc = Buffer.from(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { username: 'hub', password: 'hubpw' } } })).toString(
    'base64',
  );
  const { result } = await load(
    `${reg()}    pullAuthConfig: '\${PULL}'\n    pushAuthConfig: '\${USER}:\${PASS}'\n    syncerScriptArgs: 'literal $\${NOT_EXPANDED}'\n`,
    { PULL: doc, USER: 'u', PASS: 'p:w' },
  );
  const { config } = await result;
  const r = config.registries[0];
  assert.equal(r?.pullAuth?.kind === 'docker-config' && r.pullAuth.auths.get('docker.io')?.password, 'hubpw');
  assert.equal(r?.pushAuth?.kind === 'userpass' && r.pushAuth.credentials.password, 'p:w');
  assert.equal(r?.syncerScriptArgs, 'literal ${NOT_EXPANDED}');
});

test('values from the environment are remembered as written, except identity fields; the redacted view shows ${VAR}', async () => {
  const { result } = await load(
    `registries:\n  - hostname: '\${HOST}'\n    syncerScript: ./list.sh\n    syncerScriptArgs: '--key \${KEY} --team t'\n`,
    { HOST: 'reg.example', KEY: 'k3y-value' },
  );
  const { config } = await result;
  assert.deepEqual(config.fromEnvironment, [
    { path: 'registries[0].syncerScriptArgs', original: '--key ${KEY} --team t', values: ['k3y-value', '--key k3y-value --team t'] },
  ]);
  const view = redactConfig(config) as { registries: Array<{ hostname: string; syncerScriptArgs: string }> };
  assert.equal(view.registries[0]?.hostname, 'reg.example');
  assert.equal(view.registries[0].syncerScriptArgs, '--key ${KEY} --team t');
});

test('sources: hosts normalised like references, CA files resolved next to the config, auth parsed, the same map on every registry', async () => {
  const yaml = `${reg()}  - hostname: other.example\n    images: [nginx]\nsources:\n  Registry.Internal:5000: {insecure: true, pipelining: false, maxConcurrent: 4, requestsPerSecond: 2.5, quotaReserve: 10, quotaWaitSeconds: 60, proxy: 'http://u:proxy-pw-77@127.0.0.1:3128'}\n  quay.io: {caFile: ./real-ca.pem, tlsVerify: true, auth: 'puller:\${QUAY_PW}'}\n  index.docker.io: {tlsVerify: false}\n`;
  const { result } = await load(yaml, { QUAY_PW: 'quay-pw-55' });
  const { config } = await result;
  assert.deepEqual([...(config.sources?.keys() ?? [])], ['registry.internal:5000', 'quay.io', 'docker.io']);
  const quay = config.sources?.get('quay.io');
  assert.equal(quay?.caFile, join(configDir.path, 'real-ca.pem'));
  assert.equal(quay.auth?.kind === 'userpass' && quay.auth.credentials.password, 'quay-pw-55');
  assert.deepEqual(config.sources?.get('registry.internal:5000'), {
    insecure: true,
    tlsVerify: true,
    caFile: undefined,
    auth: undefined,
    pipelining: false,
    maxConcurrent: 4,
    requestsPerSecond: 2.5,
    quotaReserve: 10,
    quotaWaitSeconds: 60,
    proxy: 'http://u:proxy-pw-77@127.0.0.1:3128',
  });
  assert.ok(config.registries.every((r) => r.sources === config.sources));
  const view = JSON.stringify(redactConfig(config));
  assert.equal(view.includes('quay-pw-55'), false);
  assert.equal(view.includes('proxy-pw-77'), false, 'a proxy password is a secret');
  assert.match(view, /"proxy":"http:\/\/u:\*\*\*@127.0.0.1:3128"/);
  assert.match(
    view,
    /"quay.io":\{"insecure":false,"tlsVerify":true,"caFile":"[^"]*real-ca.pem","auth":\{"kind":"username:password","username":"puller","password":"\*\*\*"\},"pipelining":true\}/,
  );
});

const dockerConfigFor = (...hosts: string[]) =>
  JSON.stringify({ auths: Object.fromEntries(hosts.map((h) => [h, { auth: Buffer.from('bot:Auth-Pw-9').toString('base64') }])) });

test('a push DockerConfigJSON without an entry for the target host is an error naming the hosts it lists; never the password', async () => {
  const got = await problems(
    `registries:\n  - hostname: 127.0.0.1:5002\n    images: [nginx]\n    pushAuthConfig: '${dockerConfigFor('localhost:5002', 'https://index.docker.io/v1/')}'\n`,
  );
  assert.deepEqual(got, [
    '4:21 registries[0].pushAuthConfig: DockerConfigJSON has no entry for the target registry "127.0.0.1:5002" (it lists "localhost:5002", "docker.io"): its credentials would never be sent there; add an entry for "127.0.0.1:5002"',
  ]);
  assert.equal(got.join('').includes('Auth-Pw-9'), false);
  const empty = await problems(`registries:\n  - hostname: reg.example\n    images: [nginx]\n    pushAuthConfig: '{"auths": {}}'\n`);
  assert.match(empty[0] ?? '', /no entry for the target registry "reg.example" \(it lists no host with credentials\)/);
});

test('a DockerConfigJSON naming credential helpers (credHelpers, credsStore) covers their hosts; one for other hosts is still an error naming them', async () => {
  const helped = await load(
    `registries:\n  - hostname: reg.example\n    images: ['quay.io/x/y:1']\n    pushAuthConfig: '{"credHelpers": {"reg.example": "ecr-login"}}'\n    pullAuthConfig: '{"credsStore": "pass"}'\n`,
  );
  assert.deepEqual((await helped.result).warnings, [], 'no "no entry" warning for a host the credsStore serves');
  const { result } = await load(
    `registries:\n  - hostname: reg.example\n    images: [nginx]\n    pushAuthConfig: '{"credHelpers": {"reg.example": "ecr-login"}}'\n`,
  );
  const auth = (await result).config.registries[0]?.pushAuth;
  assert.deepEqual(auth?.kind === 'docker-config' && [...(auth.credHelpers ?? [])], [['reg.example', 'ecr-login']]);
  const other = await problems(
    `registries:\n  - hostname: reg.example\n    images: [nginx]\n    pushAuthConfig: '{"credHelpers": {"ecr.example": "ecr-login"}}'\n`,
  );
  assert.deepEqual(other, [
    '4:21 registries[0].pushAuthConfig: DockerConfigJSON has no entry for the target registry "reg.example" (it lists "ecr.example"): its credentials would never be sent there; add an entry for "reg.example"',
  ]);
  const badName = await problems(
    `registries:\n  - hostname: reg.example\n    images: [nginx]\n    pushAuthConfig: '{"credsStore": "../bin/sh"}'\n`,
  );
  assert.deepEqual(badName, [
    '4:21 registries[0].pushAuthConfig: "credsStore" must be a helper name (docker-credential-NAME), like "ecr-login"',
  ]);
});

test('a pull DockerConfigJSON without an entry for a source host of images: is a warning with file:line:col; sources auth likewise', async () => {
  const yaml = `registries:\n  - hostname: reg.example\n    images: ['127.0.0.1:5001/app:v1', '127.0.0.1:5001/db:v1', 'localhost:5001/ok:v1', 'quay.io/x/y:1']\n    pullAuthConfig: '${dockerConfigFor('localhost:5001')}'\n    pushAuthConfig: '${dockerConfigFor('reg.example')}'\nsources:\n  quay.io: {auth: 'q:qpw'}\n  ghcr.io:\n    auth: '${dockerConfigFor('ghcr.com')}'\n`;
  const { file, result } = await load(yaml);
  const { warnings } = await result;
  assert.deepEqual(warnings, [
    `${file}:4:21: registries[0].pullAuthConfig: DockerConfigJSON has no entry for the source registry "127.0.0.1:5001" of images[0] (it lists "localhost:5001"): images from "127.0.0.1:5001" are pulled without credentials`,
    `${file}:9:11: sources["ghcr.io"].auth: DockerConfigJSON has no entry for "ghcr.io" (it lists "ghcr.com"): this auth is never used`,
  ]);
  assert.equal(warnings.join('').includes('Auth-Pw-9'), false);
});

test('api.host: IP addresses and host names are valid', async () => {
  for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'fe80::1', 'localhost', 'pb-api.internal.example', 'host-1.']) {
    const { result } = await load(`${reg()}api:\n  host: '${host}'\n`);
    assert.equal((await result).config.api.host, host);
  }
});

test('syncerScript: a bare name is found on PATH (before a file next to the config), a path with "/" next to the config file', async () => {
  const bin = join(configDir.path, 'bin');
  await mkdir(bin, { recursive: true });
  for (const name of ['lister', 'list.sh']) {
    await writeFile(join(bin, name), '#!/bin/sh\necho nginx:1.25\n');
    await chmod(join(bin, name), 0o755);
  }
  const script = async (written: string, env: NodeJS.ProcessEnv) => {
    const { result } = await load(`registries:\n  - hostname: reg.example\n    syncerScript: '${written}'\n`, env);
    const r = (await result).config.registries[0];
    return [r?.syncerScript, r?.syncerScriptLookup?.via];
  };
  const PATH = `/nonexistent-dir:relative/dir:${bin}`;
  assert.deepEqual(await script('lister', { PATH }), [join(bin, 'lister'), 'PATH']);
  assert.deepEqual(await script('list.sh', { PATH }), [join(bin, 'list.sh'), 'PATH'], 'PATH wins over the file next to the config');
  assert.deepEqual(
    await script('list.sh', { PATH: '/nonexistent-dir' }),
    [join(configDir.path, 'list.sh'), 'config-fallback'],
    "the seed's bare name next to config.yaml still works",
  );
  assert.deepEqual(await script('./list.sh', { PATH }), [join(configDir.path, 'list.sh'), 'config-relative']);
  assert.deepEqual(
    await script('bin/lister', {}),
    [join(bin, 'lister'), 'config-relative'],
    'relative to the config file, not the working directory',
  );
  assert.deepEqual(await script(join(bin, 'lister'), {}), [join(bin, 'lister'), 'absolute']);
  assert.deepEqual(await problems("registries:\n  - hostname: reg.example\n    syncerScript: 'python9'\n", { PATH }), [
    `3:19 registries[0].syncerScript: syncer script "python9" not found on PATH nor next to the config file (${join(configDir.path, 'python9')})`,
  ]);
});

test('several problems are all reported at once, in file order, and no secret is quoted', async () => {
  const yaml =
    "registries:\n  - hostname: 'bad host'\n    pushAuthConfig: 'secret-without-colon'\n    syncPeriod: nope\n    images: ['Bad']\napi:\n  authToken: 12345678\n";
  const got = await problems(yaml);
  assert.equal(got.length, 5, got.join('\n'));
  assert.deepEqual(
    got.map((p) => p.split(' ')[0]),
    ['2:15', '3:21', '4:17', '5:14', '7:14'],
  );
  assert.match(got[4] ?? '', /api.authToken: expected a string, got number$/);
  assert.equal(got.join('\n').includes('secret-without-colon'), false);
  assert.equal(got.join('\n').includes('12345678'), false);
});

test('an unreadable file is a problem at 0:0 with the reason', async () => {
  await assert.rejects(loadConfig(join(configDir.path, 'does-not-exist.yaml')), (error: ConfigError) => {
    assert.equal(error.message, `${join(configDir.path, 'does-not-exist.yaml')}:0:0: config file not found`);
    return true;
  });
});

test('config path: flag, then $PICTURE_BOOK_CONFIG, then ./config.yaml', () => {
  assert.equal(resolveConfigPath('x.yaml', { PICTURE_BOOK_CONFIG: '/etc/pb.yaml' }, '/work'), '/work/x.yaml');
  assert.equal(resolveConfigPath(undefined, { PICTURE_BOOK_CONFIG: '/etc/pb.yaml' }, '/work'), '/etc/pb.yaml');
  assert.equal(resolveConfigPath(undefined, {}, '/work'), '/work/config.yaml');
});

test('api.distributeAllowedNetworks takes CIDRs, addresses and the names loopback, private, link-local; anything else is named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-networks-'));
  try {
    const file = join(dir, 'config.yaml');
    await writeFile(
      file,
      [
        'registries: [{hostname: r.example, images: [nginx]}]',
        "api: {distributeAllowedNetworks: [private, '10.1.0.0/16', 'fd00::/8', '192.168.1.7', 'intranet', '10.0.0.0/33']}",
        '',
      ].join('\n'),
    );
    await assert.rejects(loadConfig(file), (e: unknown) => {
      const problems = (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      assert.deepEqual(problems, [
        'api.distributeAllowedNetworks[4]: "intranet" is not an IP address, a CIDR or one of: loopback, private, link-local',
        'api.distributeAllowedNetworks[5]: "10.0.0.0/33": the prefix length must be 0-32',
      ]);
      return true;
    });
    await writeFile(
      file,
      [
        'registries: [{hostname: r.example, images: [nginx]}]',
        "api: {distributeAllowedNetworks: [private, '10.1.0.0/16', 'fd00::/8', '192.168.1.7']}",
        '',
      ].join('\n'),
    );
    assert.deepEqual((await loadConfig(file)).config.api.distributeAllowedNetworks, ['private', '10.1.0.0/16', 'fd00::/8', '192.168.1.7']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
