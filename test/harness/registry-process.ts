import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { trackChild } from './procs.js';

const READY_DEADLINE_MS = 15_000;
const POLL_INTERVAL_MS = 25;

export class RegistryStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = 'RegistryStartError';
  }
}

/** Spawns `docker-registry serve` and resolves once GET /v2/ answers (any status, 401 included). */
export async function launchRegistry(configFile: string, url: string): Promise<ChildProcess> {
  const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  trackChild(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    // Keep only the tail: it is for error messages, and a chatty registry must not grow memory.
    stderr = (stderr + chunk).slice(-8192);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exited (code ${String(code)}, signal ${String(signal)})`));
    child.once('error', (error) => resolve(`failed to spawn: ${error.message}`));
  });
  let died: string | undefined;
  void exited.then((why) => (died = why));
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (died !== undefined) break;
    if (await answersV2(url)) return child;
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))]);
  }
  if (died === undefined) {
    child.kill('SIGKILL');
    died = `not ready after ${READY_DEADLINE_MS} ms`;
  }
  // Let the stderr pipe drain so the message carries the registry's own explanation.
  await new Promise((resolve) => (!child.stderr.readableEnded ? child.stderr.once('close', resolve) : resolve(null)));
  throw new RegistryStartError(`registry at ${url} ${died}: ${stderr.trim()}`, /address already in use/i.test(stderr));
}

/** True when a distribution registry (not some other process that grabbed the port) answers. */
function answersV2(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(`${url}/v2/`, { method: 'GET', rejectUnauthorized: false, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.headers['docker-distribution-api-version'] !== undefined);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/** Sends a signal and waits for the process to be gone; escalates to SIGKILL after a grace period. */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}
