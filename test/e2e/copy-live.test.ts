import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { VirtualScreen } from '../../src/display/virtual-screen.js';
import { errorMessage } from '../../src/errors/index.js';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { CLI, runCli } from './load-harness.js';
import { useProxiedPair } from './proxied-pair.js';
import { largestBlob, waitFor } from './stop-kit.js';

// `picture-book copy` on a terminal shows the live view of `load` while it works; elsewhere only the
// result (and -v lines on stderr).
let built: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(ociImage, source, 'live/app:v1');
});

/** The CLI under util-linux `script` (a real pseudo-terminal), its output read as it comes. */
function copyInPty(args: string[]) {
  const quoted = [process.execPath, CLI, 'copy', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', `stty cols 120 rows 40; ${quoted}`, '/dev/null'], {
    env: { ...process.env, DOCKER_CONFIG: '/nonexistent', TERM: 'xterm' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { text: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { out, exited, kill: () => child.kill('SIGKILL') };
}

test('on a terminal: the live view (target registry, the image with bytes and a bar) while a blob streams, erased for the result at the end', async (t) => {
  const blob = largestBlob(built);
  pair.sourceProxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${blob.digest}`),
    times: 1,
    action: { kind: 'stall', afterBytes: 1024 * 1024 },
  });
  const target = `${pair.target.host}/live-copy/app:v1`;
  const run = copyInPty([`${pair.sourceProxy.host}/live/app:v1`, target]);
  t.after(() => {
    pair.sourceProxy.clearFaults();
    pair.sourceProxy.release();
    run.kill();
  });
  await waitFor(() => pair.sourceProxy.stalled.length > 0, 'the largest blob to be held after 1 MiB');
  // While it is held, the view shows the image's progress (redrawn every 100 ms).
  const progress = new RegExp(`live-copy/app:v1 +[\\d.]+ (KiB|MiB) / 3\\.50 MiB +[\\d.]+ (B|KiB|MiB)/s +\\[#*-+\\]`);
  await waitFor(() => progress.test(run.out.text), 'a progress line for the image').catch((error: unknown) =>
    assert.fail(`${errorMessage(error)}: ${JSON.stringify(run.out.text.slice(-3000))}`),
  );
  assert.match(run.out.text, new RegExp(`. ${pair.target.host}  0 copied, 0 up to date, 0 failed of 1 `), 'the registry line of load');
  assert.match(run.out.text, /all registries: 0\/1 images/);
  pair.sourceProxy.clearFaults();
  pair.sourceProxy.release();
  assert.equal(await run.exited, 0, run.out.text);

  const screen = new VirtualScreen();
  screen.write(run.out.text);
  const lines = screen.lines();
  assert.deepEqual(
    lines.slice(0, 3),
    [
      `copied ${pair.sourceProxy.host}/live/app:v1 -> ${target}`,
      `  digest ${built.digest}`,
      '  blobs: 4 copied, 0 already present, 0 mounted',
    ],
    lines.join('\n'),
  );
  assert.equal(lines.length, 4, 'the live block is gone; only the result stays');
  assert.equal(screen.cursorVisible, true);
  assert.equal((await skopeoInspectRaw(target, pair.target)).digest, built.digest);
});

test('not a terminal: stdout holds only the result; -v lines go to stderr, one per blob and manifest', async () => {
  const target = `${pair.target.host}/plain-copy/app:v1`;
  const result = await runCli(['copy', '-v', `${pair.source.host}/live/app:v1`, target]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.includes('\x1b'), false, 'no escape sequence in a pipe');
  assert.equal(result.stdout.split('\n')[0], `copied ${pair.source.host}/live/app:v1 -> ${target}`);
  const verbose = result.stderr.split('\n').filter(Boolean);
  assert.equal(verbose.filter((l) => /^ {2}blob sha256:[0-9a-f]{12} \(.+\) copied to /.test(l)).length, 4, result.stderr);
  assert.ok(
    verbose.some((l) => l.startsWith(`  wrote manifest ${built.digest.slice(0, 19)} to ${target}`)),
    result.stderr,
  );
});
