import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { runCli, tempDir } from './load-harness.js';

// What a syncer script prints is bounded (line length, line count) and shown harmlessly (control
// characters escaped), through the built CLI against real registries.
let source: TestRegistry;
let target: TestRegistry;
let built: BuiltImage;
let dir: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  built = await pushImage(ociImage, source, 'library/app:v1');
  dir = await tempDir('pb-script-output-');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<void> {
  await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(dir, name), 0o755);
}

const present = (registry: TestRegistry, path: string) =>
  skopeoInspectRaw(`${registry.host}/${path}`, registry).then(
    (r) => r.digest,
    () => undefined,
  );
// The target under a second name: configured registries need distinct hostnames.
const targetAlias = () => `localhost:${target.host.split(':')[1]}`;

test('an endless line and endless lines: each script is stopped at its cap with the registry and line; the other registry is mirrored', async () => {
  const image = `${source.host}/library/app:v1`;
  // Finite, and both scripts exit 0: only the caps make them failures (a 200 MB line once took 1.8 GB).
  await script('long-line.sh', `echo ${image}\nhead -c 20000000 /dev/zero | tr '\\0' a\necho`);
  await script('many-lines.sh', `yes ${image} | head -n 300000`);
  const config = join(dir, 'caps.yaml');
  await writeFile(
    config,
    [
      'registries:',
      `  - hostname: '${target.host}'`,
      "    repository: 'caps'",
      "    syncerScript: './long-line.sh'",
      '    syncerScriptMaxLineBytes: 65536',
      `  - hostname: '${targetAlias()}'`,
      "    repository: 'caps'",
      "    syncerScript: './many-lines.sh'",
      '    syncerScriptMaxLines: 1000',
      `  - hostname: '${source.host}'`,
      "    repository: 'caps-ok'",
      `    images: ['${image}']`,
      '',
    ].join('\n'),
  );
  const started = Date.now();
  const result = await runCli(['load', '--config', config, '--all']);
  assert.ok(Date.now() - started < 60_000);
  assert.equal(result.code, 1, result.stderr);
  assert.ok(result.stdout.length < 20_000, `the output stays small (${result.stdout.length} characters)`);
  assert.match(
    result.stdout,
    new RegExp(
      `\\[${target.host}\\] .*long-line\\.sh.* printed a line longer than 65536 bytes \\(line 2; syncerScriptMaxLineBytes\\) and was stopped`,
    ),
  );
  assert.match(
    result.stdout,
    new RegExp(
      `\\[${targetAlias()}\\] .*many-lines\\.sh.* printed more than 1000 lines \\(syncerScriptMaxLines\\) and was stopped at line 1001`,
    ),
  );
  assert.equal(await present(target, 'caps/library/app:v1'), undefined, 'nothing synced for a stopped script');
  assert.equal(await present(source, 'caps-ok/library/app:v1'), built.digest, 'the other registry went on');
});

test('control characters from a script (stdout and stderr) are printed escaped, never raw', async () => {
  const image = `${source.host}/library/app:v1`;
  await script('escapes.sh', `echo ${image}\nprintf 'bad\\033]0;pwned\\007ref\\n'`);
  await script('escapes-fail.sh', `printf 'boom \\033[2J\\033[31mred\\n' >&2\nexit 3`);
  const config = join(dir, 'escapes.yaml');
  await writeFile(
    config,
    [
      'registries:',
      `  - hostname: '${target.host}'`,
      "    repository: 'escapes'",
      "    syncerScript: './escapes.sh'",
      `  - hostname: '${targetAlias()}'`,
      "    repository: 'escapes'",
      "    syncerScript: './escapes-fail.sh'",
      '',
    ].join('\n'),
  );
  const result = await runCli(['load', '--config', config, '--all']);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(result.stdout + result.stderr), false, 'a raw control character was printed');
  assert.match(result.stdout, /boom \\x1b\[2J\\x1b\[31mred/);
  assert.match(result.stdout, /line 2: "bad\\u001b\]0;pwned\\u0007ref"/);
  assert.equal(await present(target, 'escapes/library/app:v1'), built.digest, 'the valid line was mirrored');
});
