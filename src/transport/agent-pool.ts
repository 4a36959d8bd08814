import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { guardedConnector, type AddressGuard } from './guarded-connect.js';
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
}

let guardCount = 0;

/**
 * undici Agents shared per TLS setting: each Agent keeps a keep-alive pool per origin, so every
 * request to one registry reuses warm connections whatever layer issued it.
 */
export class AgentPool {
  #agents = new Map<string, Agent>();
  #guardIds = new WeakMap<AddressGuard, number>();

  get(settings: AgentSettings): Agent {
    const ca = settings.ca ? createHash('sha256').update(settings.ca).digest('hex') : '';
    const key = `${settings.tlsVerify}|${settings.caFile ?? ''}|${ca}|${this.#guardId(settings.guard)}|${settings.maxConnections}|${settings.pipelining ?? 1}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      const tls = {
        rejectUnauthorized: settings.tlsVerify,
        // Read once per setting: a CA file is small and rarely changes during a run.
        ...(settings.caFile || settings.ca ? { ca: [...(settings.caFile ? [readFileSync(settings.caFile, 'utf8')] : []), ...(settings.ca ? [settings.ca] : [])] } : {}),
      };
      agent = new Agent({
        connections: settings.maxConnections,
        pipelining: settings.pipelining ?? 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: settings.guard ? guardedConnector(settings.guard, tls) : tls,
      });
      this.#agents.set(key, agent);
    }
    return agent;
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
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}
