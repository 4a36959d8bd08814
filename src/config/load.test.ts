import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { loadConfig, redactConfig, resolveConfigPath } from './index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-config-'));
  await writeFile(join(dir, 'list.sh'), '#!/bin/sh\necho nginx:1.25\n');
  await chmod(join(dir, 'list.sh'), 0o755);
  await writeFile(join(dir, 'not-exec.sh'), '#!/bin/sh\n');
  await chmod(join(dir, 'not-exec.sh'), 0o644);
  // A real certificate and its key: a CA file is checked for a PEM certificate.
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
      join(dir, 'real-ca.pem'),
      '-days',
      '3',
      '-subj',
      '/CN=test-ca',
    ],
    { stdio: 'ignore' },
  );
  await writeFile(join(dir, 'not-pem.txt'), 'just text\n');
  await writeFile(join(dir, 'broken-cert.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
});
after(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
async function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `config-${++counter}.yaml`);
  await writeFile(file, yaml);
  return { file, result: loadConfig(file, env) };
}

/** Loads a config expected to be invalid and returns its problems as `line:col path: message`. */
async function problems(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const { result } = await load(yaml, env);
  try {
    await result;
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems.map((p) => `${p.line}:${p.column} ${p.path ? `${p.path}: ` : ''}${p.message}`);
  }
  assert.fail('the config was accepted');
}

const reg = (extra = '') => `registries:\n  - hostname: reg.example\n    repository: mirror\n    syncerScript: ./list.sh\n${extra}`;

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
  assert.equal(r.syncerScript, join(dir, 'list.sh'), 'resolved next to the config file');
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
  assert.equal(quay?.caFile, join(dir, 'real-ca.pem'));
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

const INVALID: Array<[string, string, string[]]> = [
  ['unknown top-level key', `${reg()}dispaly: spinner\n`, ['5:1 dispaly: unknown key "dispaly" (did you mean "display"?)']],
  ['unknown registry key', reg('    hostnme: x\n'), ['5:5 registries[0].hostnme: unknown key "hostnme" (did you mean "hostname"?)']],
  ['unknown key, nothing close', reg('    colour: blue\n'), ['5:5 registries[0].colour: unknown key "colour"']],
  ['unknown api key', `${reg()}api:\n  prot: 80\n`, ['6:3 api.prot: unknown key "prot" (did you mean "port"?)']],
  [
    'boolean as a string',
    reg('    deleteLocalImages: "yes"\n'),
    ['5:24 registries[0].deleteLocalImages: expected a boolean (true or false), got string "yes"'],
  ],
  ['number as a string', `${reg()}api:\n  port: "8001"\n`, ['6:9 api.port: expected a number, got string "8001"']],
  ['port out of range', `${reg()}api:\n  port: 70000\n`, ['6:9 api.port: must be at most 65535, got number 70000']],
  ['fractional port', `${reg()}api:\n  port: 80.5\n`, ['6:9 api.port: expected a whole number, got number 80.5']],
  [
    'bad cron',
    reg("    syncPeriod: '*/1 * * *'\n"),
    ['5:17 registries[0].syncPeriod: cron needs 5 fields (or 6 with seconds), got 4: "*/1 * * *"'],
  ],
  [
    '7-field cron',
    reg("    syncPeriod: '0 0 * * * * 2026'\n"),
    ['5:17 registries[0].syncPeriod: cron needs 5 fields (or 6 with seconds), got 7: "0 0 * * * * 2026"'],
  ],
  [
    'cron field out of range',
    reg("    syncPeriod: '61 * * * *'\n"),
    ['5:17 registries[0].syncPeriod: invalid cron "61 * * * *": CronPattern: Invalid value for minute: 61'],
  ],
  [
    'bad hostname',
    "registries:\n  - hostname: 'https://reg.example'\n    images: [nginx]\n",
    [
      '2:15 registries[0].hostname: invalid reference "https://reg.example": registry host must not have a scheme (drop "http://" or "https://")',
    ],
  ],
  [
    'hostname with credentials',
    "registries:\n  - hostname: 'https://tester:Pw1@reg.example'\n    images: [nginx]\n",
    [
      '2:15 registries[0].hostname: invalid reference "https://tester:***@reg.example": registry host must not contain credentials ("user:password@"): give them separately (pushAuthConfig/pullAuthConfig, --src-creds/--dest-creds)',
    ],
  ],
  [
    'image with credentials',
    "registries:\n  - hostname: reg.example\n    images: ['u:Pw1@quay.io/app']\n",
    [
      '3:14 registries[0].images[0]: invalid reference "u:***@quay.io/app": credentials do not belong in a reference: use --src-creds/--dest-creds (copy) or pullAuthConfig/pushAuthConfig (config.yaml)',
    ],
  ],
  [
    'bad port in hostname',
    "registries:\n  - hostname: 'reg.example:0'\n    images: [nginx]\n",
    ['2:15 registries[0].hostname: invalid reference "reg.example:0": registry host port must be 1-65535'],
  ],
  [
    'duplicate hostname',
    `${reg()}  - hostname: REG.example\n    images: [nginx]\n`,
    ['5:15 registries[1].hostname: duplicate hostname "reg.example" (already used by registries[0])'],
  ],
  [
    'missing hostname',
    'registries:\n  - repository: mirror\n    images: [nginx]\n',
    ['2:5 registries[0].hostname: missing required key "hostname"'],
  ],
  [
    'missing script file',
    'registries:\n  - hostname: reg.example\n    syncerScript: ./nope.sh\n',
    [`3:19 registries[0].syncerScript: syncer script not found: DIR/nope.sh`],
  ],
  [
    'script not executable',
    'registries:\n  - hostname: reg.example\n    syncerScript: not-exec.sh\n',
    [`3:19 registries[0].syncerScript: syncer script is not executable: DIR/not-exec.sh`],
  ],
  [
    'bad image reference',
    "registries:\n  - hostname: reg.example\n    images:\n      - nginx:1.25\n      - 'quay.io/CoreOS/etcd'\n",
    ['5:9 registries[0].images[1]: invalid reference "quay.io/CoreOS/etcd": path component "CoreOS" must be lowercase'],
  ],
  [
    'neither script nor images nor mirrors',
    'registries:\n  - hostname: reg.example\n',
    ['2:5 registries[0]: needs something to mirror: a "syncerScript", an "images" list or "mirrors" rules (any of them together)'],
  ],
  ['bad display', `${reg()}display: fancy\n`, ['5:10 display: must be "spinner" or empty, got "fancy"']],
  [
    'enableAuth without a token',
    `${reg()}api:\n  enabled: true\n  enableAuth: true\n`,
    ['6:3 api.authToken: enableAuth is true but authToken is empty'],
  ],
  [
    'authToken as a number, with enableAuth',
    `${reg()}api:\n  enableAuth: true\n  authToken: 12345678\n`,
    ['7:14 api.authToken: expected a string, got number'],
  ],
  [
    'unknown nested key, shortened',
    `${reg()}sync:\n  gracePeriod: 10\n`,
    ['6:3 sync.gracePeriod: unknown key "gracePeriod" (did you mean "gracePeriodSeconds"?)'],
  ],
  [
    'unknown nested key, typo',
    `${reg()}sync:\n  runOnStrat: false\n`,
    ['6:3 sync.runOnStrat: unknown key "runOnStrat" (did you mean "runOnStart"?)'],
  ],
  [
    'unknown state key',
    `${reg()}state:\n  retention: 3\n`,
    ['6:3 state.retention: unknown key "retention" (did you mean "retentionDays"?)'],
  ],
  ['unknown concurrency key', `${reg()}concurrency:\n  blob: 3\n`, ['6:3 concurrency.blob: unknown key "blob" (did you mean "blobs"?)']],
  [
    'unknown registry key, shortened',
    reg('    syncerScriptTimeout: 30\n'),
    ['5:5 registries[0].syncerScriptTimeout: unknown key "syncerScriptTimeout" (did you mean "syncerScriptTimeoutSeconds"?)'],
  ],
  ['negative concurrency', reg('    concurrency: -2\n'), ['5:18 registries[0].concurrency: must be greater than 0, got number -2']],
  [
    'YAML syntax error',
    'registries:\n  - hostname: [unclosed\n',
    ['3:1 YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ],
  [
    'alias to an undefined anchor',
    reg('    pushAuthConfig: *SecretAlias99\n'),
    ['5:21 registries[0].pushAuthConfig: YAML alias refers to no anchor defined before it (a value that starts with "*" must be quoted)'],
  ],
  [
    'alias in a list, next to a good one',
    'registries:\n  - hostname: reg.example\n    images: [&first nginx, *first, *Pw-2b]\n',
    ['3:36 registries[0].images[2]: YAML alias refers to no anchor defined before it (a value that starts with "*" must be quoted)'],
  ],
  [
    'script timeout beyond a Node timer',
    reg('    syncerScriptTimeoutSeconds: 3000000\n'),
    ['5:33 registries[0].syncerScriptTimeoutSeconds: must be at most 86400, got number 3000000'],
  ],
  [
    'infinite script timeout',
    reg('    syncerScriptTimeoutSeconds: 1e400\n'),
    ['5:33 registries[0].syncerScriptTimeoutSeconds: must be at most 86400, got number Infinity'],
  ],
  [
    'script line cap of zero',
    reg('    syncerScriptMaxLineBytes: 0\n'),
    ['5:31 registries[0].syncerScriptMaxLineBytes: must be greater than 0, got number 0'],
  ],
  [
    'script line count cap too big',
    reg('    syncerScriptMaxLines: 2000000\n'),
    ['5:27 registries[0].syncerScriptMaxLines: must be at most 1000000, got number 2000000'],
  ],
  [
    'grace period beyond a Node timer',
    `${reg()}sync:\n  gracePeriodSeconds: 1e12\n`,
    ['6:23 sync.gracePeriodSeconds: must be at most 3600, got number 1000000000000'],
  ],
  [
    'grace period .inf',
    `${reg()}sync:\n  gracePeriodSeconds: .inf\n`,
    ['6:23 sync.gracePeriodSeconds: must be at most 3600, got number Infinity'],
  ],
  ['grace period .nan', `${reg()}sync:\n  gracePeriodSeconds: .nan\n`, ['6:23 sync.gracePeriodSeconds: expected a number, got number NaN']],
  [
    'retention beyond ten years',
    `${reg()}state:\n  retentionDays: 1e300\n`,
    ['6:18 state.retentionDays: must be at most 3650, got number 1e+300'],
  ],
  ['huge concurrency', `${reg()}concurrency:\n  blobs: 1e9\n`, ['6:10 concurrency.blobs: must be at most 1000, got number 1000000000']],
  [
    'unknown key in a source',
    `${reg()}sources:\n  quay.io:\n    cafile: ./ca.pem\n`,
    ['7:5 sources["quay.io"].cafile: unknown key "cafile" (did you mean "caFile"?)'],
  ],
  [
    'source host with a scheme',
    `${reg()}sources:\n  'https://quay.io':\n    insecure: true\n`,
    [
      '6:3 sources["https://quay.io"]: invalid reference "https://quay.io": registry host must not have a scheme (drop "http://" or "https://")',
    ],
  ],
  [
    'duplicate source host',
    `${reg()}sources:\n  quay.io: {insecure: true}\n  Quay.IO: {tlsVerify: false}\n`,
    ['7:3 sources["Quay.IO"]: duplicate source "quay.io" (already listed as "quay.io")'],
  ],
  [
    'missing CA file of a source',
    `${reg()}sources:\n  'quay.io:5000':\n    caFile: ./nope.pem\n`,
    [`7:13 sources["quay.io:5000"].caFile: CA file not found: DIR/nope.pem`],
  ],
  [
    'source auth without colon',
    `${reg()}sources:\n  quay.io:\n    auth: 'Pw1-no-colon'\n`,
    ['7:11 sources["quay.io"].auth: credentials must be "username:password" (no ":" found)'],
  ],
  [
    'source setting of the wrong type',
    `${reg()}sources:\n  quay.io:\n    insecure: "yes"\n    auth: 1234\n`,
    [
      '7:15 sources["quay.io"].insecure: expected a boolean (true or false), got string "yes"',
      '8:11 sources["quay.io"].auth: expected a string, got number',
    ],
  ],
  [
    'a proxy that is not an http(s) URL, never quoted (it may hold a password)',
    `${reg()}sources:\n  quay.io:\n    proxy: 'socks5://u:pw-8@gw:1080'\n  ghcr.io: {proxy: 'gw:3128'}\n  docker.io: {proxy: 'http://gw:3128/path', maxConcurrent: 0}\n`,
    [
      '7:12 sources["quay.io"].proxy: has the scheme socks5: where http: or https: is needed',
      '8:20 sources["ghcr.io"].proxy: is not a URL: write http://HOST:PORT (or "none" for no proxy)',
      '9:22 sources["docker.io"].proxy: must be http(s)://HOST:PORT, without a path',
      '9:60 sources["docker.io"].maxConcurrent: must be greater than 0, got number 0',
    ],
  ],
  ['sources as a list', `${reg()}sources: [quay.io]\n`, ['5:10 sources: expected a mapping, got a list']],
  ['empty file', '', ['1:1 config is empty: expected a "registries" list']],
  ['registries not a list', 'registries: reg.example\n', ['1:13 registries: expected a list, got string "reg.example"']],
  ['empty registries', 'registries: []\n', ['1:13 registries: must list at least 1 item']],
  [
    'malformed base64 docker config',
    reg("    pullAuthConfig: 'eyJub3Rqc29u'\n"),
    ['5:21 registries[0].pullAuthConfig: DockerConfigJSON (base64-decoded) is not valid JSON'],
  ],
  [
    'docker config without auths',
    reg('    pushAuthConfig: \'{"credHelpers": {}}\'\n'),
    ['5:21 registries[0].pushAuthConfig: DockerConfigJSON has no "auths" object'],
  ],
  [
    'user:pass without colon',
    reg("    pushAuthConfig: 'justauser'\n"),
    ['5:21 registries[0].pushAuthConfig: credentials must be "username:password" (no ":" found)'],
  ],
  [
    'unset environment variable',
    reg("    pushAuthConfig: 'bot:${REGISTRY_PASSWORD}'\n"),
    ['5:21 environment variable "REGISTRY_PASSWORD" is not set'],
  ],
  ['missing CA file', reg('    caFile: ./ca.pem\n'), [`5:13 registries[0].caFile: CA file not found: DIR/ca.pem`]],
  [
    'api.host with spaces',
    `${reg()}api:\n  host: 'not a host'\n`,
    ['6:9 api.host: "not a host" is neither an IP address nor a host name (e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost)'],
  ],
  [
    'api.host with a port',
    `${reg()}api:\n  host: '127.0.0.1:8001'\n`,
    ['6:9 api.host: "127.0.0.1:8001": the port goes in api.port, not in api.host'],
  ],
  [
    'api.host IPv6 in brackets',
    `${reg()}api:\n  host: '[::1]'\n`,
    ['6:9 api.host: "[::1]": write the IPv6 address without brackets ("::1")'],
  ],
  [
    'api.host with a scheme',
    `${reg()}api:\n  host: 'http://0.0.0.0'\n`,
    ['6:9 api.host: "http://0.0.0.0": no scheme, only the address to listen on (e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost)'],
  ],
  [
    'api.host empty',
    `${reg()}api:\n  host: ''\n`,
    ['6:9 api.host: is empty: give an IP address or a host name (e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost)'],
  ],
  [
    'CA file that is a private key',
    reg('    caFile: ./key.pem\n'),
    [
      `5:13 registries[0].caFile: CA file is a private key, not a CA certificate: DIR/key.pem (give the CA's certificate: a PEM "BEGIN CERTIFICATE" block)`,
    ],
  ],
  [
    'CA file that is not PEM',
    reg('    caFile: ./not-pem.txt\n'),
    [
      `5:13 registries[0].caFile: CA file is not a CA certificate: DIR/not-pem.txt (no PEM "BEGIN CERTIFICATE" block; a DER file converts with openssl x509 -inform der -in FILE)`,
    ],
  ],
  [
    'CA file with a broken certificate',
    reg('    caFile: ./broken-cert.pem\n'),
    [`5:13 registries[0].caFile: CA file has a certificate that cannot be read (PEM block 1): DIR/broken-cert.pem`],
  ],
  [
    'source CA file that is a private key',
    `${reg()}sources:\n  quay.io: {caFile: ./key.pem}\n`,
    [
      `6:21 sources["quay.io"].caFile: CA file is a private key, not a CA certificate: DIR/key.pem (give the CA's certificate: a PEM "BEGIN CERTIFICATE" block)`,
    ],
  ],
  ['unknown time zone', `${reg()}sync:\n  timezone: Mars/Olympus\n`, ['6:13 sync.timezone: unknown time zone "Mars/Olympus"']],
  [
    'repository with uppercase',
    'registries:\n  - hostname: reg.example\n    repository: Mirror\n    images: [nginx]\n',
    ['3:17 registries[0].repository: invalid reference "Mirror": path component "Mirror" must be lowercase'],
  ],
  ['script args not a string', reg('    syncerScriptArgs: 5\n'), ['5:23 registries[0].syncerScriptArgs: expected a string, got number 5']],
  [
    'shell operator in script args',
    reg("    syncerScriptArgs: '--team a; rm -rf /'\n"),
    [
      '5:23 registries[0].syncerScriptArgs: shell operator ";" at character 9 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'pipe in script args',
    reg("    syncerScriptArgs: '--all | tee log'\n"),
    [
      '5:23 registries[0].syncerScriptArgs: shell operator "|" at character 7 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'command substitution in script args',
    reg("    syncerScriptArgs: '--token $(cat /run/token)'\n"),
    [
      '5:23 registries[0].syncerScriptArgs: command substitution "$(" at character 9 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'backticks in script args',
    reg('    syncerScriptArgs: "--user `whoami`"\n'),
    [
      '5:23 registries[0].syncerScriptArgs: command substitution "`" at character 8 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'unterminated quote in script args',
    reg("    syncerScriptArgs: '--team \"platform tools'\n"),
    ['5:23 registries[0].syncerScriptArgs: unterminated double quote at character 8'],
  ],
];

for (const [title, yaml, expected] of INVALID) {
  test(`invalid config: ${title}`, async () => {
    const got = await problems(yaml);
    assert.deepEqual(
      got,
      expected.map((e) => e.replace('DIR', dir)),
    );
    for (const secret of ['SecretAlias99', 'Pw-2b', 'Pw1', 'Pw1-no-colon'])
      assert.equal(got.join('\n').includes(secret), false, `${secret} is quoted`);
  });
}

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
  const bin = join(dir, 'bin');
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
    [join(dir, 'list.sh'), 'config-fallback'],
    "the seed's bare name next to config.yaml still works",
  );
  assert.deepEqual(await script('./list.sh', { PATH }), [join(dir, 'list.sh'), 'config-relative']);
  assert.deepEqual(
    await script('bin/lister', {}),
    [join(bin, 'lister'), 'config-relative'],
    'relative to the config file, not the working directory',
  );
  assert.deepEqual(await script(join(bin, 'lister'), {}), [join(bin, 'lister'), 'absolute']);
  assert.deepEqual(await problems("registries:\n  - hostname: reg.example\n    syncerScript: 'python9'\n", { PATH }), [
    `3:19 registries[0].syncerScript: syncer script "python9" not found on PATH nor next to the config file (${join(dir, 'python9')})`,
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
  await assert.rejects(loadConfig(join(dir, 'does-not-exist.yaml')), (error: ConfigError) => {
    assert.equal(error.message, `${join(dir, 'does-not-exist.yaml')}:0:0: config file not found`);
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
