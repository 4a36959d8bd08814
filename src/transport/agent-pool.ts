import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { guardedConnector, type AddressGuard } from './guarded-connect.js';
import { proxyChoice, proxyKey } from './proxy-choice.js';
import { proxiedAgent } from './proxy-dispatcher.js';
import { Agent } from './undici-agent.js';

export interface AgentSettings {
  tlsVerify: boolean;
  caFile: string | undefined;
  /** PEM text of extra CA certificates (e.g. a distribute job's `ca`). */
  ca?: string | undefined;
  /** Decides which addresses connections may reach (distribute jobs); absent: any. */
  guard?: AddressGuard | undefined;
  maxConnections: number;
  /** Requests sent on one connection before the first answer arrives (HTTP/1.1 pipelining); 1 = none. */
  pipelining?: number;
  /** The endpoint's `proxy` setting (a URL, or `none`); absent: the environment's proxies. */
  proxy?: string | undefined;
}

let guardCount = 0;

/**
 * undici Agents shared per TLS setting: each Agent keeps a keep-alive pool per origin, so every
 * request to one registry reuses warm connections whatever layer issued it. Counted per holder:
 * when the last transport holding an Agent lets it go, its connections are closed.
 */
export class AgentPool {
  #agents = new Map<string, { agent: Dispatcher; holders: number }>();
  #keys = new Map<Dispatcher, string>();
  #guardIds = new WeakMap<AddressGuard, number>();
  #connectMs: number;
  #proxyEnv: NodeJS.ProcessEnv;

  /**
   * `connectMs`: TCP connect and TLS handshake, per connection (undici's default is 10 s).
   * `proxyEnv`: where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (default: process.env).
   */
  constructor(options: { connectMs?: number; proxyEnv?: NodeJS.ProcessEnv | undefined } = {}) {
    this.#connectMs = options.connectMs ?? 10_000;
    this.#proxyEnv = options.proxyEnv ?? process.env;
  }

  /** An Agent for these settings; give it back with release() when done with it. */
  acquire(settings: AgentSettings): Dispatcher {
    const ca = settings.ca ? createHash('sha256').update(settings.ca).digest('hex') : '';
    const proxy = proxyChoice(settings.proxy, this.#proxyEnv);
    const key = `${settings.tlsVerify}|${settings.caFile ?? ''}|${ca}|${this.#guardId(settings.guard)}|${settings.maxConnections}|${settings.pipelining ?? 1}|${proxyKey(proxy)}`;
    let entry = this.#agents.get(key);
    if (!entry) {
      const tls = {
        timeout: this.#connectMs,
        rejectUnauthorized: settings.tlsVerify,
        // Read once per setting: a CA file is small and rarely changes during a run.
        ...(settings.caFile || settings.ca
          ? { ca: [...(settings.caFile ? [readFileSync(settings.caFile, 'utf8')] : []), ...(settings.ca ? [settings.ca] : [])] }
          : {}),
      };
      const pool = {
        connections: settings.maxConnections,
        pipelining: settings.pipelining ?? 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
      };
      const connect = settings.guard ? guardedConnector(settings.guard, tls) : tls;
      const agent =
        proxy.kind === 'direct'
          ? new Agent({ ...pool, connect })
          : proxiedAgent(proxy, { agent: pool, tls, directConnect: connect, guard: settings.guard });
      entry = { agent, holders: 0 };
      this.#agents.set(key, entry);
      this.#keys.set(agent, key);
    }
    entry.holders++;
    return entry.agent;
  }

  /** Gives an Agent back; the last holder's release closes it (requests under way still finish). */
  release(agent: Dispatcher): void {
    const key = this.#keys.get(agent);
    const entry = key === undefined ? undefined : this.#agents.get(key);
    if (!entry || key === undefined) return;
    if (--entry.holders > 0) return;
    this.#agents.delete(key);
    this.#keys.delete(agent);
    agent.close().catch(() => undefined);
  }

  /** Agents open now (for tests and metrics). */
  get size(): number {
    return this.#agents.size;
  }

  #guardId(guard: AddressGuard | undefined): number {
    if (!guard) return 0;
    let id = this.#guardIds.get(guard);
    if (id === undefined) {
      id = ++guardCount;
      this.#guardIds.set(guard, id);
    }
    return id;
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()].map((e) => e.agent);
    this.#agents.clear();
    this.#keys.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}
