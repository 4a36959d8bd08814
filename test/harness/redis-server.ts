import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir, trackChild } from './procs.js';

const READY_DEADLINE_MS = 15_000;

/** A real `redis-server` (Debian's) on a free 127.0.0.1 port, its data in a temp dir. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** SIGKILL; the data written so far (append-only file) stays for `start()`. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** SIGKILL, its data deleted, started again on the same port: a Redis that lost everything. */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts redis-server and resolves once it says it accepts connections (its own log line, read
 * from its stdout: no sleeps). Every write is appended to a file, so a restart keeps the queue as
 * it was, as a production Redis with persistence would. `fsync`: when that file is synced to disk;
 * the tests' Redis syncs every write (`always`) so that no test depends on timing; the bench runs
 * Redis as the README deploys it (`appendonly yes`, Redis's default `everysec`: each write waits for
 * no disk, which a registry on the same disk keeps busy).
 */
export async function startRedis(options: { fsync?: 'always' | 'everysec' } = {}): Promise<TestRedis> {
  const fsync = options.fsync ?? 'always';
  const dir = await makeTempDir('redis');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let child: ChildProcess | undefined;
    const launch = async (): Promise<void> => {
      child = await launchRedis(port, dir, fsync);
    };
    try {
      await launch();
    } catch (error) {
      if (attempt < 5 && /address already in use/i.test(String(error))) continue;
      throw error;
    }
    const gone = async (signal: NodeJS.Signals): Promise<void> => {
      const running = child;
      if (running?.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill(signal);
      await exited;
    };
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      kill: () => gone('SIGKILL'),
      start: launch,
      restartEmpty: async () => {
        await gone('SIGKILL');
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await launch();
      },
      stop: async () => {
        await gone('SIGKILL');
        await removeTempDir(dir);
      },
    };
  }
}

function launchRedis(port: number, dir: string, fsync: 'always' | 'everysec'): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', fsync];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} not ready after ${READY_DEADLINE_MS} ms: ${output.slice(-2000)}`));
    }, READY_DEADLINE_MS);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8192);
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume(); // keep draining its log
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-8192)));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not be started (apt-get install redis-server): ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited (code ${String(code)}, signal ${String(signal)}): ${output.slice(-2000)}`));
    });
  });
}
