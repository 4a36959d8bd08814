import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from './load-harness.js';

// `picture-book config check` through the built CLI: what it refuses (exit 2, file:line:col and key
// path) and what it only warns about (exit 0, "valid").
let dir: string;
before(async () => {
  dir = await tempDir('pb-config-check-');
  await writeFile(join(dir, 'list.sh'), '#!/bin/sh\necho nginx:1.25\n');
  await chmod(join(dir, 'list.sh'), 0o755);
});
after(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
async function check(lines: string[], env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `config-${++counter}.yaml`);
  await writeFile(file, [...lines, ''].join('\n'));
  return { file, ...(await runCli(['config', 'check', '--config', file], env)) };
}

const registry = ['registries:', '  - hostname: reg.example', '    syncerScript: ./list.sh'];

test('a shell operator in syncerScriptArgs is refused by config check, with file:line:col and key path', async () => {
  const { file, code, stdout, stderr } = await check([...registry, "    syncerScriptArgs: '--team platform; rm -rf /'"]);
  assert.equal(code, 2, stdout);
  assert.equal(
    stderr,
    `${file}:4:23: registries[0].syncerScriptArgs: shell operator ";" at character 16 is not allowed: the script runs without a shell (quote it to pass it as text)\n`,
  );
  const substitution = await check([...registry, '    syncerScriptArgs: \'--key "$(cat /run/key)"\'']);
  assert.equal(substitution.code, 2);
  assert.match(substitution.stderr, /:4:23: registries\[0\]\.syncerScriptArgs: command substitution "\$\(" at character 8 is not allowed/);
  const literal = await check([...registry, '    syncerScriptArgs: \'--literal $${NOT_EXPANDED} "a;b"\'']);
  assert.equal(literal.code, 0, literal.stderr);
  assert.equal(literal.stdout, `${literal.file}: valid\n`);
});

test('config check: a push DockerConfigJSON without the target host is an error; a pull one without a source host of images: a warning, still valid', async () => {
  const entry = (host: string) => JSON.stringify({ auths: { [host]: { auth: Buffer.from('bot:Check-Pw-1').toString('base64') } } });
  const push = await check([
    'registries:',
    "  - hostname: '127.0.0.1:5002'",
    "    images: ['127.0.0.1:5001/app:v1']",
    `    pushAuthConfig: '${entry('localhost:5002')}'`,
  ]);
  assert.equal(push.code, 2);
  assert.equal(
    push.stderr,
    `${push.file}:4:21: registries[0].pushAuthConfig: DockerConfigJSON has no entry for the target registry "127.0.0.1:5002" (it lists "localhost:5002"): its credentials would never be sent there; add an entry for "127.0.0.1:5002"\n`,
  );
  const pull = await check([
    'registries:',
    "  - hostname: '127.0.0.1:5002'",
    "    images: ['127.0.0.1:5001/app:v1']",
    `    pullAuthConfig: '${entry('localhost:5001')}'`,
  ]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(pull.stdout, `${pull.file}: valid\n`);
  assert.equal(
    pull.stderr,
    `warning: ${pull.file}:4:21: registries[0].pullAuthConfig: DockerConfigJSON has no entry for the source registry "127.0.0.1:5001" of images[0] (it lists "localhost:5001"): images from "127.0.0.1:5001" are pulled without credentials\n`,
  );
  for (const output of [push.stderr, pull.stderr]) assert.equal(output.includes('Check-Pw-1'), false);
});

test('config check refuses an api.host that is not a host', async () => {
  const result = await check([...registry, 'api:', "  host: 'not a host'"]);
  assert.equal(result.code, 2, result.stdout);
  assert.equal(
    result.stderr,
    `${result.file}:5:9: api.host: "not a host" is neither an IP address nor a host name (e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost)\n`,
  );
});
