import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** A demo registry that outlives the demo command, so the result can be looked at afterwards. */
export interface DemoRegistry {
  name: string;
  port: number;
  pid: number;
  dir: string;
}

export function hostOf(registry: DemoRegistry): string {
  return `127.0.0.1:${registry.port}`;
}

export async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const chosen = (server.address() as { port: number }).port;
        server.close(() => resolve(chosen));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0)) ?? 0;
}

export async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
    return response.status === 200 || response.status === 401;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts (or finds still running) the registry `name` with its storage under `root/name`. */
export async function ensureRegistry(root: string, name: string, preferredPort: number): Promise<DemoRegistry> {
  const dir = join(root, name);
  const stateFile = join(dir, 'state.json');
  await mkdir(join(dir, 'storage'), { recursive: true });
  try {
    const previous = JSON.parse(await readFile(stateFile, 'utf8')) as DemoRegistry;
    if (alive(previous.pid) && (await answers(previous.port))) return previous;
  } catch {
    // No earlier run, or it is gone: start a new process on the same storage.
  }
  const port = await freePort(preferredPort);
  const config = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${join(dir, 'storage')}}, delete: {enabled: true}}`,
    `http: {addr: 127.0.0.1:${port}, secret: picture-book-demo}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { detached: true, stdio: 'ignore' });
  child.unref();
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`docker-registry for the demo did not start on 127.0.0.1:${port}`);
    await delay(100);
  }
  const registry: DemoRegistry = { name, port, pid: child.pid ?? 0, dir };
  await writeFile(stateFile, JSON.stringify(registry, null, 2));
  return registry;
}

/** Stops a demo registry started earlier (its storage stays). */
export async function stopRegistry(root: string, name: string): Promise<boolean> {
  try {
    const previous = JSON.parse(await readFile(join(root, name, 'state.json'), 'utf8')) as DemoRegistry;
    if (!alive(previous.pid)) return false;
    process.kill(previous.pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
