import { readFileSync } from 'node:fs';
import { Agent } from './undici-agent.js';

export interface AgentSettings {
  tlsVerify: boolean;
  caFile: string | undefined;
  maxConnections: number;
  /** Requests sent on one connection before the first answer arrives (HTTP/1.1 pipelining); 1 = none. */
  pipelining?: number;
}

/**
 * undici Agents shared per TLS setting: each Agent keeps a keep-alive pool per origin, so every
 * request to one registry reuses warm connections whatever layer issued it.
 */
export class AgentPool {
  #agents = new Map<string, Agent>();

  get(settings: AgentSettings): Agent {
    const key = `${settings.tlsVerify}|${settings.caFile ?? ''}|${settings.maxConnections}|${settings.pipelining ?? 1}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        connections: settings.maxConnections,
        pipelining: settings.pipelining ?? 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: {
          rejectUnauthorized: settings.tlsVerify,
          // Read once per setting: a CA file is small and rarely changes during a run.
          ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}),
        },
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}
