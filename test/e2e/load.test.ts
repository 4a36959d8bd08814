import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { VirtualScreen } from '../../src/display/virtual-screen.js';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage, ociImage, ociIndex } from './fixtures.js';
import { jsonLines, runCli, runCliInPty, runCliWithClosedStdout, tempDir, writeScript } from './load-harness.js';

let source: TestRegistry;
let first: TestRegistry;
let second: TestRegistry;
let dir: string;
let config: string;
let env: NodeJS.ProcessEnv;
const shPath = execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim();
const built: Record<string, BuiltImage> = {};

before(async () => {
  [source, first, second] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' }), startRegistry({ auth: 'htpasswd' })]);
  [built.app, built.multi, built.api] = await Promise.all([
    pushImage(ociImage, source, 'library/app:v1'),
    pushImage(ociIndex, source, 'multi/app:v1'),
    pushImage(dockerImage, source, 'team/api:v2'),
  ]);
  dir = await tempDir('pb-load-');
  await writeScript(dir, 'first.sh', [`# images for ${first.host}`, `${source.host}/library/app:v1`, '', `${source.host}/multi/app:v1`]);
  await writeScript(dir, 'second.sh', [`${source.host}/team/api:v2`, 'Not A Reference', `${source.host}/library/app:v1`]);
  // Both auth forms from the seeds: user:pass (from the environment) and a base64 DockerConfigJSON.
  const dockerConfig = Buffer.from(
    JSON.stringify({ auths: { [second.host]: { auth: Buffer.from(`${second.username}:${second.password}`).toString('base64') } } }),
  ).toString('base64');
  env = { PB_FIRST_PASSWORD: first.password ?? '', PB_SECOND_AUTH: dockerConfig };
  config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      'registries:',
      `  - hostname: '${first.host}'`,
      "    repository: 'mirror'",
      `    pushAuthConfig: '${first.username}:\${PB_FIRST_PASSWORD}'`,
      "    syncPeriod: '*/5 * * * *'",
      "    syncerScript: './first.sh'",
      `  - hostname: '${second.host}'`,
      "    repository: 'mirror'",
      "    pushAuthConfig: '${PB_SECOND_AUTH}'",
      "    syncerScript: './second.sh'",
      'display: spinner',
      '',
    ].join('\n'),
  );
});

after(async () => {
  const started = startedSoFar({ source, first, second });
  await Promise.all([started.source?.stop(), started.first?.stop(), started.second?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function assertNoSecrets(text: string): void {
  for (const secret of [first.password, second.password, env.PB_SECOND_AUTH])
    assert.equal(text.includes(secret ?? '\u0000'), false, 'a secret leaked into the output');
}

const present = (registry: TestRegistry, path: string) =>
  skopeoInspectRaw(`${registry.host}/${path}`, registry).then(
    (r) => r.digest,
    () => undefined,
  );

test('dry run: prints the plan, writes nothing (checked on the registries)', async () => {
  const result = await runCli(['load', '--config', config, '--all', '--dry-run', '--log-format', 'json'], env);
  const events = jsonLines(result.stdout);
  const planned = events.filter((e) => e.type === 'image-planned');
  assert.equal(planned.length, 4);
  assert.ok(planned.every((e) => e.action === 'copy'));
  assert.equal(await present(first, 'mirror/library/app:v1'), undefined);
  assert.equal(await present(second, 'mirror/team/api:v2'), undefined);
  assertNoSecrets(result.stdout + result.stderr);
});

test('load --all: both registries mirrored; the bad line is reported with its number; JSON log parses line by line', async () => {
  const result = await runCli(['load', '--config', config, '--all', '--log-format', 'json'], env);
  assert.equal(result.code, 1, 'a bad syncer line makes the run fail');
  const events = jsonLines(result.stdout);
  const invalid = events.find((e) => e.type === 'registry-line-invalid');
  assert.equal(invalid?.registry, second.host);
  assert.equal(invalid.line, 2);
  assert.equal(invalid.text, 'Not A Reference');
  const done = events.filter((e) => e.type === 'image-done');
  assert.equal(done.length, 4);
  const finished = events.find((e) => e.type === 'run-finished');
  assert.deepEqual(
    [finished?.copied, finished?.upToDate, finished?.failed, finished?.scriptFailures, finished?.invalidLines],
    [4, 0, 0, 0, 1],
    'the bad line is counted, apart from images',
  );
  const registryDone = events.find((e) => e.type === 'registry-finished' && e.registry === second.host);
  assert.equal(registryDone?.invalidLines, 1);
  assert.equal(await present(first, 'mirror/library/app:v1'), built.app?.digest);
  assert.equal(await present(first, 'mirror/multi/app:v1'), built.multi?.digest);
  assert.equal(await present(second, 'mirror/team/api:v2'), built.api?.digest);
  assert.equal(await present(second, 'mirror/library/app:v1'), built.app?.digest);
  assertNoSecrets(result.stdout + result.stderr);
});

test('a second load copies nothing: every image is up to date', async () => {
  const result = await runCli(['load', '--config', config, '--all', '--log-format', 'json'], env);
  const events = jsonLines(result.stdout);
  assert.equal(events.filter((e) => e.type === 'image-done').length, 0);
  assert.equal(events.filter((e) => e.type === 'image-skipped').length, 4);
  assert.equal(events.filter((e) => typeof e.type === 'string' && e.type.startsWith('blob-')).length, 0);
});

test('--registry loads only that registry; plain output ends with a summary', async () => {
  const result = await runCli(['load', '--config', config, '--registry', first.host], env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /up to date/);
  assert.equal(result.stdout.includes(second.host), false);
  assert.match(result.stdout, /images: 0 copied, 2 up to date, 0 failed/);
  const unknown = await runCli(['load', '--config', config, '--registry', 'nope.example'], env);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    new RegExp(`registry "nope.example" is not in .*config.yaml \\(configured: ${first.host}, ${second.host}\\)`),
  );
});

test('DockerConfigJSON spelled for localhost while the registries are 127.0.0.1: push side refused before any work (exit 2), pull side a warning at start', async () => {
  const entry = (host: string, user: string, password: string) =>
    JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } });
  const port = (registry: TestRegistry) => registry.host.split(':')[1] ?? '';
  const push = join(dir, 'push-localhost.yaml');
  const pushEnv = { ...env, PB_PUSH_LOCALHOST: entry(`localhost:${port(first)}`, first.username ?? '', first.password ?? '') };
  await writeFile(
    push,
    [
      'registries:',
      `  - hostname: '${first.host}'`,
      "    repository: 'authhost'",
      "    pushAuthConfig: '${PB_PUSH_LOCALHOST}'",
      `    images: ['${source.host}/library/app:v1']`,
      '',
    ].join('\n'),
  );
  const refused = await runCli(['load', '--config', push, '--all'], pushEnv);
  assert.equal(refused.code, 2, refused.stdout);
  assert.equal(
    refused.stderr,
    `${push}:4:21: registries[0].pushAuthConfig: DockerConfigJSON has no entry for the target registry "${first.host}" (it lists "localhost:${port(first)}"): its credentials would never be sent there; add an entry for "${first.host}"\n`,
  );
  assert.equal(await present(first, 'authhost/library/app:v1'), undefined, 'nothing was copied');
  assert.equal(refused.stderr.includes(first.password ?? '\u0000'), false);

  const pull = join(dir, 'pull-localhost.yaml');
  const pullEnv = { ...env, PB_PULL_LOCALHOST: entry(`localhost:${port(source)}`, 'puller', 'Pull-Pw-3d') };
  await writeFile(
    pull,
    [
      'registries:',
      `  - hostname: '${first.host}'`,
      "    repository: 'authhost'",
      "    pullAuthConfig: '${PB_PULL_LOCALHOST}'",
      `    pushAuthConfig: '${first.username}:\${PB_FIRST_PASSWORD}'`,
      `    images: ['${source.host}/library/app:v1']`,
      '',
    ].join('\n'),
  );
  const warned = await runCli(['load', '--config', pull, '--all'], pullEnv);
  assert.equal(warned.code, 0, warned.stdout + warned.stderr);
  const firstLine = warned.stdout.split('\n')[0] ?? '';
  const expected = ` warning: ${pull}:4:21: registries[0].pullAuthConfig: DockerConfigJSON has no entry for the source registry "${source.host}" of images[0] (it lists "localhost:${port(source)}"): images from "${source.host}" are pulled without credentials`;
  assert.ok(firstLine.endsWith(expected), `the warning comes first, at start: ${firstLine}`);
  assert.equal(await present(first, 'authhost/library/app:v1'), built.app?.digest);
  assert.equal(warned.stdout.includes('Pull-Pw-3d'), false);
});

test('stdout closed by its reader (`| head`): the load still completes and exits 0, without an EPIPE crash', async () => {
  const closed = join(dir, 'closed-stdout.yaml');
  const lines = [
    'registries:',
    `  - hostname: '${first.host}'`,
    "    repository: 'epipe'",
    `    pushAuthConfig: '${first.username}:\${PB_FIRST_PASSWORD}'`,
    `    images: ['${source.host}/library/app:v1', '${source.host}/team/api:v2']`,
    '',
  ];
  await writeFile(closed, lines.join('\n'));
  const result = await runCliWithClosedStdout(['load', '--config', closed, '--all'], env);
  assert.equal(result.stderr.includes('EPIPE'), false, result.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await present(first, 'epipe/library/app:v1'), built.app?.digest);
  assert.equal(await present(first, 'epipe/team/api:v2'), built.api?.digest);
});

test('a failing script and a hanging script: nothing synced for them, the other registry goes on', async () => {
  await writeScript(dir, 'failing.sh', [`${source.host}/team/api:v2`], 'echo "catalog endpoint unreachable" >&2\nexit 4');
  await writeScript(dir, 'hanging.sh', [], 'sleep 30');
  const other = join(dir, 'faults.yaml');
  await writeFile(
    other,
    [
      'registries:',
      `  - hostname: '${first.host}'`,
      "    repository: 'faults'",
      "    syncerScript: './failing.sh'",
      `    pushAuthConfig: '${first.username}:\${PB_FIRST_PASSWORD}'`,
      `  - hostname: '${second.host}'`,
      "    repository: 'faults'",
      "    syncerScript: './hanging.sh'",
      '    syncerScriptTimeoutSeconds: 0.5',
      "    pushAuthConfig: '${PB_SECOND_AUTH}'",
      '  - hostname: 127.0.0.1:1',
      `    images: ['${source.host}/library/app:v1']`,
      '',
    ].join('\n'),
  );
  // The third registry is unreachable: its image fails, the run carries on and reports it.
  const started = Date.now();
  const result = await runCli(['load', '--config', other, '--all', '--log-format', 'json'], env);
  assert.ok(Date.now() - started < 60_000);
  assert.equal(result.code, 1);
  const events = jsonLines(result.stdout);
  const scriptFailures = events.filter((e) => e.type === 'registry-script-failed');
  assert.equal(scriptFailures.length, 2);
  const failing = scriptFailures.find((e) => e.registry === first.host);
  assert.equal(
    failing?.message,
    `syncer script "./failing.sh" (relative to the config file: ${join(dir, 'failing.sh')}) exited with code 4`,
  );
  assert.deepEqual(failing.stderrTail, ['catalog endpoint unreachable'], 'the stderr apart from the message, not repeated in it');
  assert.match(
    String(scriptFailures.find((e) => e.registry === second.host)?.message),
    /^syncer script "\.\/hanging\.sh" \(relative to the config file: .*\) timed out after 0\.\ds/,
  );
  const finished = events.find((e) => e.type === 'run-finished');
  assert.deepEqual(
    [finished?.failed, finished?.scriptFailures, finished?.invalidLines],
    [1, 2, 0],
    'script failures are counted apart from images',
  );
  const failed = events.find((e) => e.type === 'image-failed') as { error?: { message?: string } } | undefined;
  assert.match(failed?.error?.message ?? '', /127\.0\.0\.1:1/);
  assert.equal(await present(first, 'faults/team/api:v2'), undefined, 'nothing synced for a failed script');
});

test('a bare syncerScript is found on PATH and the messages say so (sh -c as the script: it lists an image, then fails)', async () => {
  const file = join(dir, 'on-path.yaml');
  await writeFile(
    file,
    [
      'registries:',
      `  - hostname: '${first.host}'`,
      "    repository: 'onpath'",
      `    pushAuthConfig: '${first.username}:\${PB_FIRST_PASSWORD}'`,
      "    syncerScript: 'sh'",
      `    syncerScriptArgs: '-c "echo ${source.host}/library/app:v1"'`,
      `  - hostname: '${second.host}'`,
      "    syncerScript: 'sh'",
      `    syncerScriptArgs: '-c "echo no such catalog >&2; exit 2"'`,
      '',
    ].join('\n'),
  );
  const result = await runCli(['load', '--config', file, '--all'], { ...env, PATH: `/nonexistent:${dirname(shPath)}` });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(await present(first, 'onpath/library/app:v1'), built.app?.digest, 'the script found on PATH listed the image');
  const label = `syncer script "sh" (found on PATH at ${shPath})`;
  const lines = result.stdout.split('\n');
  assert.ok(
    lines.some((l) => l.endsWith(`[${second.host}] FAILED ${label} exited with code 2; its stderr ended with:`)),
    result.stdout,
  );
  assert.equal(lines.filter((l) => l.includes('no such catalog')).length, 2, 'the stderr line once as it happens, once in the summary');
  assert.ok(lines.includes(`  [${second.host}] ${label} exited with code 2: no such catalog`), result.stdout);
  assert.ok(lines.includes('image lists: 1 syncer script failed, 0 invalid lines'), result.stdout);
});

test('a syncer line with credentials in it: reported as such, the password never shown (JSON log, plain log, summary)', async () => {
  const password = 'Line-Pw-7c1e';
  await writeScript(dir, 'creds.sh', [
    `https://tester:${password}@${source.host}/library/app:v1`,
    `tester:${password}@${source.host}/team/api:v2`,
  ]);
  const file = join(dir, 'creds.yaml');
  await writeFile(
    file,
    [
      'registries:',
      `  - hostname: '${first.host}'`,
      "    repository: 'creds'",
      "    syncerScript: './creds.sh'",
      `    pushAuthConfig: '${first.username}:\${PB_FIRST_PASSWORD}'`,
      '',
    ].join('\n'),
  );
  const json = await runCli(['load', '--config', file, '--all', '--log-format', 'json'], env);
  assert.equal(json.code, 1);
  const invalid = jsonLines(json.stdout).filter((e) => e.type === 'registry-line-invalid');
  assert.deepEqual(
    invalid.map((e) => e.text),
    [`https://tester:***@${source.host}/library/app:v1`, `tester:***@${source.host}/team/api:v2`],
  );
  assert.ok(invalid.every((e) => String(e.message).includes('credentials do not belong in a reference')));
  const plain = await runCli(['load', '--config', file, '--all'], env);
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /line 1: "https:\/\/tester:\*\*\*@/);
  for (const output of [json.stdout, json.stderr, plain.stdout, plain.stderr])
    assert.equal(output.includes(password), false, 'the password leaked');
  assertNoSecrets(json.stdout + plain.stdout);
});

test('the live display in a pseudo-terminal ends on a final screen with every registry and the summary', async () => {
  const result = await runCliInPty(['load', '--config', config, '--all'], env);
  const screen = new VirtualScreen();
  screen.write(result.stdout);
  const lines = screen.lines().join('\n');
  assert.match(lines, new RegExp(`✔ ${first.host.replace(/\./g, '\\.')}`));
  assert.match(lines, new RegExp(`✖ ${second.host.replace(/\./g, '\\.')}`), 'the registry with a bad line ends failed');
  assert.match(lines, /line 2: "Not A Reference"/);
  assert.match(lines, /images: 0 copied, 4 up to date, 0 failed/);
  assert.match(lines, new RegExp(`✖ ${second.host.replace(/\./g, '\\.')}  0 copied, 2 up to date, 0 failed of 2, 1 invalid line `));
  assert.match(lines, /image lists: 0 syncer scripts failed, 1 invalid line\n/);
  assert.match(
    lines,
    /image list problems \(1\):\n {2}\[[^\]]+\] line 2: "Not A Reference": invalid reference: reference contains whitespace/,
  );
  assert.equal(lines.includes('failed images'), false, 'no image failed');
  assertNoSecrets(result.stdout);
});
