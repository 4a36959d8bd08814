import { createHash } from 'node:crypto';
import { AgentPool, Transport, type EndpointOptions, type RetryNotice } from '../transport/index.js';
import { collectPages, type PageOptions } from './pagination.js';
import { RepositoryClient, type Access } from './repository-client.js';

export interface RegistryClientsOptions {
  /** Options per registry host (credentials, TLS); called once per host. */
  endpoint?: (registry: string) => EndpointOptions;
  onRetry?: (notice: RetryNotice) => void;
  /** Keep-alive connections per origin unless an endpoint says otherwise: the requests in flight at once. */
  maxConnections?: number;
}

/**
 * Hands out one Transport per registry host, so its keep-alive pool, auth challenge and token
 * cache are shared by every repository and every copy in the process.
 */
export class RegistryClients {
  #agents = new AgentPool();
  #transports = new Map<string, Transport>();
  #options: RegistryClientsOptions;

  constructor(options: RegistryClientsOptions = {}) {
    this.#options = options;
  }

  transport(registry: string, endpoint?: EndpointOptions): Transport {
    const key = endpoint ? `${registry}|${endpointKey(endpoint)}` : registry;
    let transport = this.#transports.get(key);
    if (!transport) {
      const options = endpoint ?? this.#options.endpoint?.(registry) ?? {};
      transport = new Transport(registry, options, { agents: this.#agents, onRetry: this.#options.onRetry, maxConnections: this.#options.maxConnections });
      this.#transports.set(key, transport);
    }
    return transport;
  }

  repository(registry: string, name: string, access: Access, endpoint?: EndpointOptions, signal?: AbortSignal): RepositoryClient {
    return new RepositoryClient(this.transport(registry, endpoint), name, access, signal);
  }

  /**
   * Repository names of a registry (`_catalog`, paginated; needs `registry:catalog:*`).
   * Pages above the registry's `maxentries` (1000 by default) are refused with 400.
   */
  catalog(registry: string, endpoint?: EndpointOptions, pageSize = 1000, options: PageOptions & { signal?: AbortSignal } = {}): Promise<string[]> {
    const transport = this.transport(registry, endpoint);
    return collectPages(transport, `/v2/_catalog?n=${pageSize}`, 'repositories', ['registry:catalog:*'], options.signal, options);
  }

  async ping(registry: string, endpoint?: EndpointOptions): Promise<void> {
    await this.transport(registry, endpoint).ping();
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
  });
}
