import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { describeScriptFailure, parseScriptLine, runSyncerScript } from './syncer-script.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-script-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

test('one reference per line; blank lines and comments skipped; bad lines reported with their number', async () => {
  const path = await script('list.sh', 'printf "# images\\nnginx:1.25\\n\\n  quay.io/coreos/etcd:v3.5  \\nBad/Ref\\n"');
  const result = await runSyncerScript({ script: path, args: '', timeoutMs: 10_000 });
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.entries.map((e) => [e.line, e.kind, e.text]),
    [
      [2, 'image', 'nginx:1.25'],
      [4, 'image', 'quay.io/coreos/etcd:v3.5'],
      [5, 'invalid', 'Bad/Ref'],
    ],
  );
  const bad = result.entries[2];
  assert.match(bad?.kind === 'invalid' ? bad.error : '', /path component "Bad" must be lowercase/);
});

test('arguments are split like a shell would, without a shell', async () => {
  const path = await script('args.sh', 'for a in "$@"; do echo "reg.example/arg/$a"; done');
  const result = await runSyncerScript({ script: path, args: `one 'two words' "three" four\\ five`, timeoutMs: 10_000 });
  assert.deepEqual(
    result.entries.map((e) => e.text),
    ['reg.example/arg/one', 'reg.example/arg/two words', 'reg.example/arg/three', 'reg.example/arg/four five'],
  );
  const literal = await runSyncerScript({ script: path, args: '--literal ${NOT_EXPANDED}', timeoutMs: 10_000 });
  assert.deepEqual(
    literal.entries.map((e) => e.text),
    ['reg.example/arg/--literal', 'reg.example/arg/${NOT_EXPANDED}'],
    'a literal ${ reaches the script as written',
  );
  const refused = await runSyncerScript({ script: path, args: 'a; rm -rf /', timeoutMs: 10_000 });
  assert.equal(refused.ok, false);
  assert.match(
    describeScriptFailure(refused, path),
    /could not be run: syncerScriptArgs: shell operator ";" at character 2 is not allowed/,
  );
});

test('a non-zero exit fails with the exit code and the last stderr line', async () => {
  const path = await script('fail.sh', 'echo nginx:1\necho "first problem" >&2\necho "registry catalog unavailable" >&2\nexit 3');
  const result = await runSyncerScript({ script: path, args: '', timeoutMs: 10_000 });
  assert.equal(result.ok, false);
  assert.equal(result.exitCode, 3);
  assert.deepEqual(result.stderrTail, ['first problem', 'registry catalog unavailable']);
  assert.equal(
    describeScriptFailure(result, 'syncer script "fail.sh"'),
    'syncer script "fail.sh" exited with code 3',
    'its stderr is not repeated in it',
  );
});

test('a script that hangs is killed at the timeout, with its children', async () => {
  const path = await script('hang.sh', 'echo nginx:1\nsleep 30 &\nsleep 30\n');
  const started = Date.now();
  const result = await runSyncerScript({ script: path, args: '', timeoutMs: 300 });
  assert.ok(Date.now() - started < 5000, 'ended long before the script would have');
  assert.equal(result.ok, false);
  assert.equal(result.timedOut, true);
  assert.match(describeScriptFailure(result, path), /timed out after 0\.\ds and was killed/);
});

test('a missing or non-executable script is a clear failure', async () => {
  const missing = await runSyncerScript({ script: join(dir, 'nope.sh'), args: '', timeoutMs: 1000 });
  assert.equal(describeScriptFailure(missing, 'syncer script "nope.sh"'), 'syncer script "nope.sh" could not be run: not found');
  const path = join(dir, 'plain.txt');
  await writeFile(path, 'echo hi');
  const denied = await runSyncerScript({ script: path, args: '', timeoutMs: 1000 });
  assert.equal(
    describeScriptFailure(denied, 'syncer script "plain.txt"'),
    'syncer script "plain.txt" could not be run: not executable (permission denied)',
  );
});

test('aborting the signal kills a script that is still going, with its children, at once', async () => {
  const path = await script('wait.sh', 'echo nginx:1\nsleep 30 &\nsleep 30\n');
  const controller = new AbortController();
  const started = Date.now();
  const running = runSyncerScript({ script: path, args: '', timeoutMs: 60_000, signal: controller.signal });
  setImmediate(() => controller.abort());
  const result = await running;
  assert.ok(Date.now() - started < 5000, 'ended long before the script or its timeout would have');
  assert.deepEqual([result.ok, result.aborted, result.timedOut, result.signal], [false, true, false, 'SIGKILL']);
  assert.equal(describeScriptFailure(result, 'syncer script "x"'), 'syncer script "x" was stopped: the run was cancelled');
  const already = await runSyncerScript({ script: path, args: '', timeoutMs: 60_000, signal: controller.signal });
  assert.deepEqual([already.ok, already.aborted, already.exitCode], [false, true, null], 'an aborted signal does not start the script');
});

test('a line longer than maxLineBytes stops the script at once, naming the line; nothing of it is kept', async () => {
  // 20 MB in one line, then a clean exit: only the cap makes this a failure.
  const path = await script('long-line.sh', 'echo nginx:1\nhead -c 20000000 /dev/zero | tr "\\0" a\necho\necho nginx:2');
  const started = Date.now();
  const result = await runSyncerScript({ script: path, args: '', timeoutMs: 60_000, maxLineBytes: 4096 });
  assert.ok(Date.now() - started < 10_000, 'stopped at once');
  assert.equal(result.ok, false);
  assert.deepEqual(result.limitHit, { what: 'line-length', line: 2, limit: 4096 });
  assert.equal(
    describeScriptFailure(result, 'syncer script "x"'),
    'syncer script "x" printed a line longer than 4096 bytes (line 2; syncerScriptMaxLineBytes) and was stopped',
  );
  assert.equal(result.entries.length, 1);
});

test('more lines than maxLines stop the script at the first line over; the default cap is 100000', async () => {
  const path = await script('endless.sh', 'yes nginx:1 | head -n 150000');
  const result = await runSyncerScript({ script: path, args: '', timeoutMs: 60_000, maxLines: 500 });
  assert.equal(result.ok, false);
  assert.deepEqual(result.limitHit, { what: 'line-count', line: 501, limit: 500 });
  assert.equal(result.entries.length, 500);
  assert.equal(
    describeScriptFailure(result, 'syncer script "x"'),
    'syncer script "x" printed more than 500 lines (syncerScriptMaxLines) and was stopped at line 501',
  );
  const byDefault = await runSyncerScript({ script: path, args: '', timeoutMs: 60_000 });
  assert.deepEqual(byDefault.limitHit, { what: 'line-count', line: 100_001, limit: 100_000 });
});

test('a huge stderr line is cut in the tail, not kept whole, and does not stop the script', async () => {
  const path = await script('loud.sh', 'head -c 3000000 /dev/zero | tr "\\0" e >&2\necho >&2\necho last >&2\necho nginx:1');
  const result = await runSyncerScript({ script: path, args: '', timeoutMs: 60_000 });
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.stderrTail.map((l) => l.length),
    [1000 + '… (line cut at 1000 bytes)'.length, 4],
  );
  assert.equal(result.stderrTail[1], 'last');
});

test('an invalid line is reported without repeating itself, and shown at most 200 characters long', async () => {
  const long = `reg.example/app:v1 ${'word '.repeat(100)}`.trim();
  const path = await script('invalid.sh', `echo 'Not A Reference'\necho '${long}'`);
  const result = await runSyncerScript({ script: path, args: '', timeoutMs: 10_000 });
  const [first, second] = result.entries;
  assert.deepEqual(
    [first?.text, first?.kind === 'invalid' ? first.error : ''],
    ['Not A Reference', 'invalid reference: reference contains whitespace'],
  );
  assert.equal(second?.text, `${long.slice(0, 200)}… (${long.length} characters)`);
  assert.equal(
    second.kind === 'invalid' && second.error,
    'invalid reference: reference contains whitespace',
    'the line is not quoted again',
  );
  const component = parseScriptLine(`reg.example/${'Upper'.repeat(100)}:v1`, 3);
  assert.match(component?.kind === 'invalid' ? component.error : '', /^invalid reference: path component "(Upper)+… \(\d+ characters\)$/);
});
