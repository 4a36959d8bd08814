import type { Dispatcher } from 'undici';
import type { AgentPool, AgentSettings } from './agent-pool.js';
import type { EndpointOptions } from './endpoint.js';

/** The Agents one transport holds: its registry's pool, pipelined HEADs, and everything else (realms, storage). */
export interface HeldAgents {
  main: Dispatcher;
  head: Dispatcher;
  foreign: Dispatcher;
}

/**
 * HEADs are pipelined this deep, on their own connections. A HEAD answer is headers only, so one
 * never waits behind a blob: GETs and uploads keep the main pool. A no-change run is all HEADs;
 * pipelined, the registry reads several per wakeup (about 15% less wall time against the real one).
 * undici re-sends what was queued behind an answer that never came, and retries cover the rest.
 */
const HEAD_PIPELINING = 8;

/**
 * The Agents of one transport, taken from the process's pool on first use and given back by
 * release() (the last holder's release closes their connections); taken again if used after it.
 */
export class TransportAgents {
  readonly #pool: AgentPool;
  readonly #settings: { main: AgentSettings; head: AgentSettings; foreign: AgentSettings };
  #held: HeldAgents | undefined;

  constructor(pool: AgentPool, options: EndpointOptions, defaultMaxConnections: number) {
    this.#pool = pool;
    const tlsVerify = options.insecure !== true && options.tlsVerify !== false;
    const maxConnections = options.maxConnections ?? defaultMaxConnections;
    const guard = options.addressGuard;
    const proxy = options.proxy;
    const main = { tlsVerify, caFile: options.caFile, ca: options.ca, guard, maxConnections, proxy };
    this.#settings = {
      main,
      head:
        options.pipelining === false
          ? main
          : { ...main, maxConnections: Math.ceil(maxConnections / HEAD_PIPELINING), pipelining: HEAD_PIPELINING },
      // Token realms and blob redirects (object storage, CDNs) live elsewhere: default TLS trust there,
      // but the same address guard (a realm must not lead into a network the endpoint may not reach).
      foreign: { tlsVerify: true, caFile: undefined, guard, maxConnections, proxy },
    };
  }

  hold(): HeldAgents {
    this.#held ??= {
      main: this.#pool.acquire(this.#settings.main),
      head: this.#pool.acquire(this.#settings.head),
      foreign: this.#pool.acquire(this.#settings.foreign),
    };
    return this.#held;
  }

  release(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held) for (const agent of [held.main, held.head, held.foreign]) this.#pool.release(agent);
  }
}
