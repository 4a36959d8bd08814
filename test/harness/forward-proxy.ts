import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir, trackChild } from './procs.js';

/** One request a forward proxy relayed: `GET http://127.0.0.1:5000/v2/` or `CONNECT 127.0.0.1:5443`. */
export interface ProxiedRequest {
  method: string;
  target: string;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, as HTTPS_PROXY / HTTP_PROXY or a `proxy:` setting take it. */
  readonly url: string;
  /** Every request the proxy relayed, in order (from its log). */
  readonly requests: readonly ProxiedRequest[];
  /** Relayed requests whose target (absolute URL, or host:port of a CONNECT) contains `host`. */
  count(method: string, host: string): number;
  stop(): Promise<void>;
}

const READY_DEADLINE_MS = 10_000;
const BIND_ATTEMPTS = 5;
// tinyproxy 1.11 logs each request it relays: `CONNECT ... Request (file descriptor 4): GET http://host/path HTTP/1.1`.
const REQUEST_LINE = /Request \(file descriptor \d+\): (\S+) (\S+) HTTP\/1\.[01]/;

/**
 * A real forward proxy, Debian's `tinyproxy`, on a free loopback port: plain http requests in
 * absolute form and https in CONNECT tunnels, to any port. Its log (stdout, `-d`) tells which
 * requests went through it. Stopped in an `after` hook; killed with the test process otherwise.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const dir = await makeTempDir('tinyproxy');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = join(dir, 'tinyproxy.conf');
    // No ConnectPort line: CONNECT to every port (the test registries' are random). No Via header.
    await writeFile(
      config,
      [
        `Port ${port}`,
        'Listen 127.0.0.1',
        'Timeout 600',
        'LogLevel Connect',
        'MaxClients 200',
        'Allow 127.0.0.1',
        'DisableViaHeader Yes',
        '',
      ].join('\n'),
    );
    const child = spawn('tinyproxy', ['-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    const proxy = new TinyProxy(child, port, dir);
    if (await proxy.ready()) return proxy;
    await proxy.stop({ keepDir: true });
    if (attempt >= BIND_ATTEMPTS) {
      await removeTempDir(dir);
      throw new Error(`tinyproxy did not start on 127.0.0.1:${port}: ${proxy.log.slice(-2000)}`);
    }
  }
}

class TinyProxy implements ForwardProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[] = [];
  log = '';
  #child: ChildProcess;
  #port: number;
  #dir: string;
  #exited: Promise<void>;

  constructor(child: ChildProcess, port: number, dir: string) {
    this.#child = child;
    this.#port = port;
    this.#dir = dir;
    this.url = `http://127.0.0.1:${port}`;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let pending = '';
    const read = (chunk: string): void => {
      this.log = (this.log + chunk).slice(-65_536);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = REQUEST_LINE.exec(line);
        if (match) this.requests.push({ method: match[1] ?? '', target: match[2] ?? '' });
      }
    };
    child.stdout?.setEncoding('utf8').on('data', read);
    child.stderr?.setEncoding('utf8').on('data', read);
  }

  count(method: string, host: string): number {
    return this.requests.filter((r) => r.method === method.toUpperCase() && r.target.includes(host)).length;
  }

  /** True once the port accepts connections; false when the proxy exited first (the port was taken). */
  async ready(): Promise<boolean> {
    // Set by a callback: typed wide, so that the loop below reads it again.
    let exited = false as boolean;
    void this.#exited.then(() => (exited = true));
    const deadline = Date.now() + READY_DEADLINE_MS;
    while (Date.now() < deadline && !exited) {
      if (await accepts(this.#port)) return true;
      await Promise.race([this.#exited, new Promise((resolve) => setTimeout(resolve, 25))]);
    }
    return false;
  }

  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
    if (!options.keepDir) await removeTempDir(this.#dir);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
