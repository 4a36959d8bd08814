import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { VirtualScreen } from './virtual-screen.js';

/**
 * The live view on a real terminal: util-linux `script` gives the child a pseudo-terminal, so
 * `process.stdout.isTTY` is true and the real stream (with the tty's \n -> \r\n) is exercised.
 */
const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const hasScript = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const feeder = (dir: string): string => `
import { createReporter } from ${JSON.stringify(join(dir, 'index.js'))};
import { twoRegistryRun } from ${JSON.stringify(join(dir, 'fixtures.js'))};
if (!process.stdout.isTTY) { console.error('stdout is not a TTY'); process.exit(3); }
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
let now = T0;
const reporter = createReporter('spinner', process.stdout, { now: () => now, refreshMs: 0 });
// Everything but run-finished: close() must draw the final screen by itself.
for (const event of twoRegistryRun(T0).filter((e) => e.type !== 'run-finished')) {
  now = event.time;
  reporter.handle(event);
  reporter.render();
}
now = T0 + 1500;
reporter.close();
`;

it(
  'leaves the final screen on a real terminal',
  { skip: hasScript ? false : 'util-linux `script` is not installed', timeout: 30_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'picture-book-pty-'));
    try {
      const file = join(dir, 'feed.mjs');
      await writeFile(file, feeder(here));
      const command = `stty cols 90 rows 30; ${JSON.stringify(process.execPath)} ${JSON.stringify(file)}`;
      const { stdout } = await run('script', ['-qfec', command, '/dev/null'], { timeout: 20_000 });
      assert.match(stdout, /\x1b\[\d+F\x1b\[J/, 'the block was redrawn in place');

      const screen = new VirtualScreen();
      screen.write(stdout);
      const lines = screen.lines();
      const shown = lines.join('\n');
      assert.deepEqual(
        lines,
        [
          '[127.0.0.1:5003] FAILED 127.0.0.1:5001/library/missing:v9 -> 127.0.0.1:5003/mirror/library/missing:v9: manifest unknown: missing:v9',
          '✔ 127.0.0.1:5002  1 copied, 0 up to date, 0 failed of 1  4.00 MiB',
          '✖ 127.0.0.1:5003  1 copied, 0 up to date, 1 failed of 2  8.00 MiB',
          'images: 2 copied, 0 up to date, 1 failed',
          'bytes moved: 12.0 MiB (8.00 MiB/s)',
          'time: 1.5s',
          'failed images (1):',
          '  [127.0.0.1:5003] 127.0.0.1:5001/library/missing:v9 -> 127.0.0.1:5003/mirror/library/missing:v9: manifest unknown: missing:v9',
        ],
        shown,
      );
      assert.equal(screen.cursorVisible, true, 'cursor restored');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
