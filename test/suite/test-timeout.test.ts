import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { makeTempDir, trackChild } from '../harness/procs.js';

/** `npm test` never hangs: a hung test, even one that leaves a server open, fails the run. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The flags scripts/test.sh gives `node --test`, from its exec line. */
async function runnerFlags(): Promise<string[]> {
  const script = await readFile(join(ROOT, 'scripts', 'test.sh'), 'utf8');
  const line = script.split('\n').find((l) => l.startsWith('exec node --test'));
  assert.ok(line, 'scripts/test.sh runs node --test');
  return line.split(/\s+/).filter((word) => word.startsWith('--test'));
}

test('scripts/test.sh sets a test timeout well above the slowest test file', async () => {
  const timeout = (await runnerFlags()).find((f) => f.startsWith('--test-timeout='));
  assert.ok(timeout, 'no --test-timeout in scripts/test.sh');
  // copy-memory, the slowest file, takes up to ~100 s on two shared cores with a cold cache.
  assert.ok(Number(timeout.split('=')[1]) >= 200_000, timeout);
});

test('under that timeout, a hung test that leaves a server open fails its file instead of hanging the run', async () => {
  const dir = await makeTempDir('hung-test');
  const file = join(dir, 'hung.test.mjs');
  await writeFile(
    file,
    [
      "import { createServer } from 'node:http';",
      "import { test } from 'node:test';",
      "test('waits forever with a server open', async () => {",
      '  const server = createServer();',
      "  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));",
      '  await new Promise(() => {});',
      '});',
      '',
    ].join('\n'),
  );
  // The script's flags, with a short timeout so this test is quick: the mechanism is what is checked.
  const flags = [...(await runnerFlags()).filter((f) => !f.startsWith('--test-timeout=')), '--test-timeout=2000', '--test-reporter=tap'];
  const started = Date.now();
  const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const { NODE_TEST_CONTEXT: _asChild, ...env } = process.env; // else the inner runner reports to this one
    const child = execFile(process.execPath, [...flags, file], { cwd: dir, env, timeout: 60_000 }, (error, stdout) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
    trackChild(child);
  });
  assert.ok(Date.now() - started < 30_000, `the run took ${Date.now() - started} ms`);
  assert.notEqual(result.code, 0, result.stdout);
  assert.match(result.stdout, /timed out after 2000ms/);
});
