import { createHash } from 'node:crypto';
import { CATALOG_SCOPE } from '../reference/index.js';
import {
  AgentPool,
  HostGates,
  resolveTimeouts,
  Transport,
  type EndpointOptions,
  type HostEventListener,
  type Timeouts,
} from '../transport/index.js';
import { collectPages, type PageOptions } from './pagination.js';
import { RepositoryClient, type Access, type ClientCaller } from './repository-client.js';

export interface RegistryClientsOptions {
  /** Options per registry host (credentials, TLS); called once per host. */
  endpoint?: (registry: string) => EndpointOptions;
  /** Keep-alive connections per origin unless an endpoint says otherwise: the requests in flight at once. */
  maxConnections?: number;
  /** A transport with no request under way for this long is dropped (default 5 minutes). */
  idleMs?: number;
  /** At most this many transports are kept; the least recently used idle ones go first (default 64). */
  maxTransports?: number;
  /** The clock idleness is measured with (tests inject one). */
  now?: () => number;
  /** Deadlines and the blob rate for every request (DEFAULT_TIMEOUTS where absent). */
  timeouts?: Partial<Timeouts>;
  /** Hears what happens to a host for everyone: its quota, pauses for the quota or a 429. */
  onHostEvent?: HostEventListener;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (default: process.env). */
  proxyEnv?: NodeJS.ProcessEnv;
}

const DEFAULT_IDLE_MS = 5 * 60_000;
const DEFAULT_MAX_TRANSPORTS = 64;

/**
 * Hands out one Transport per registry host and credential, so its keep-alive pool, auth challenge
 * and token cache are shared by every repository and every copy in the process. A long-running
 * server sees new credentials with every distribute job: transports idle for `idleMs`, or beyond
 * `maxTransports`, are dropped and give their connections back (closed once nobody else uses
 * them). One with a request under way is never dropped; one dropped between two requests of a copy
 * still works for whoever holds it (it takes connections again).
 */
export class RegistryClients {
  #agents: AgentPool;
  #transports = new Map<string, Transport>();
  #options: RegistryClientsOptions;
  #now: () => number;
  #timeouts: Timeouts;
  /** The limits of each host, for every transport of it (whatever its credentials or TLS settings). */
  #gates: HostGates;

  constructor(options: RegistryClientsOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#timeouts = resolveTimeouts(options.timeouts);
    this.#agents = new AgentPool({ connectMs: this.#timeouts.connectMs, proxyEnv: options.proxyEnv });
    this.#gates = new HostGates(this.#now);
    if (options.onHostEvent) this.#gates.listen(options.onHostEvent);
  }

  /** Hears every host event of the process (the returned function stops it). */
  onHostEvent(listener: HostEventListener): () => void {
    return this.#gates.listen(listener);
  }

  /** Requests to `host` wait `waitMs` from now, as after a 429 (one that another process got). */
  pauseHost(host: string, waitMs: number): void {
    this.#gates.pause(host, waitMs);
  }

  transport(registry: string, endpoint?: EndpointOptions): Transport {
    const key = endpoint ? `${registry}|${endpointKey(endpoint)}` : registry;
    let transport = this.#transports.get(key);
    if (transport) this.#transports.delete(key);
    else {
      const options = endpoint ?? this.#options.endpoint?.(registry) ?? {};
      transport = new Transport(registry, options, {
        agents: this.#agents,
        maxConnections: this.#options.maxConnections,
        now: this.#now,
        timeouts: this.#timeouts,
        gates: this.#gates,
      });
    }
    // Handing it out is a use: the caller's first request may come a little later.
    transport.touch();
    this.#evictIdle();
    this.#transports.set(key, transport);
    return transport;
  }

  /** Transports kept now. */
  get size(): number {
    return this.#transports.size;
  }

  /** Agents (connection pools) open now. */
  get openAgents(): number {
    return this.#agents.size;
  }

  #evictIdle(): void {
    const idleMs = this.#options.idleMs ?? DEFAULT_IDLE_MS;
    const now = this.#now();
    for (const [key, transport] of this.#transports) {
      if (now - transport.lastUsed >= idleMs && transport.release()) this.#transports.delete(key);
    }
    // One slot stays free for the transport being handed out; busy ones are kept whatever the count.
    const excess = this.#transports.size + 1 - (this.#options.maxTransports ?? DEFAULT_MAX_TRANSPORTS);
    if (excess <= 0) return;
    const leastRecent = [...this.#transports].filter(([, t]) => t.inFlight === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, transport] of leastRecent.slice(0, excess)) {
      transport.release();
      this.#transports.delete(key);
    }
  }

  /** A client of one repository; its requests carry `caller`'s signal and report their retries to it. */
  repository(registry: string, name: string, access: Access, endpoint?: EndpointOptions, caller: ClientCaller = {}): RepositoryClient {
    return new RepositoryClient(this.transport(registry, endpoint), name, access, caller);
  }

  /**
   * Repository names of a registry (`_catalog`, paginated; needs `registry:catalog:*`).
   * Pages above the registry's `maxentries` (1000 by default) are refused with 400.
   */
  catalog(
    registry: string,
    endpoint?: EndpointOptions,
    pageSize = 1000,
    options: PageOptions & { signal?: AbortSignal } = {},
  ): Promise<string[]> {
    const transport = this.transport(registry, endpoint);
    return collectPages(transport, `/v2/_catalog?n=${pageSize}`, 'repositories', [CATALOG_SCOPE], options.signal, options);
  }

  async close(): Promise<void> {
    await this.#agents.close();
  }
}

const guardIds = new WeakMap<object, number>();
let guards = 0;

function guardId(guard: object | undefined): number {
  if (!guard) return 0;
  let id = guardIds.get(guard);
  if (id === undefined) {
    id = ++guards;
    guardIds.set(guard, id);
  }
  return id;
}

/** Distinguishes transports of one host opened with different credentials, TLS or pipelining settings. */
function endpointKey(endpoint: EndpointOptions): string {
  return JSON.stringify({
    i: endpoint.insecure ?? false,
    t: endpoint.tlsVerify ?? true,
    c: endpoint.caFile ?? '',
    a: endpoint.ca ? createHash('sha256').update(endpoint.ca).digest('hex') : '',
    g: guardId(endpoint.addressGuard),
    l: endpoint.pipelining ?? true,
    // The username only: two transports for one user share nothing secret in the key.
    u: endpoint.credentials?.username ?? '',
    p: endpoint.credentials ? createHash('sha256').update(endpoint.credentials.password).digest('hex') : '',
    s: endpoint.staticToken ? createHash('sha256').update(endpoint.staticToken.token).digest('hex') : '',
    // A new limit or proxy opens a new transport, which states it to the host's gate and its agents.
    m: [endpoint.maxConcurrent, endpoint.requestsPerSecond, endpoint.quotaReserve, endpoint.quotaWaitSeconds],
    x: endpoint.proxy ?? '',
  });
}
