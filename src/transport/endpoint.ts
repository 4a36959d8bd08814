import type { Credentials } from '../auth/credentials.js';
import { isLoopbackHost, DOCKER_HUB, DOCKER_HUB_API_HOST } from '../reference/index.js';
import type { RetryPolicy } from './retry-policy.js';

/** How to talk to one registry host. Everything a copy task needs to reach it. */
export interface EndpointOptions {
  /** Plain http (and, for https, no verification). Loopback hosts are plain http automatically. */
  insecure?: boolean;
  /** Verify the server certificate (default true). */
  tlsVerify?: boolean;
  /** PEM file with extra CA certificates to trust. */
  caFile?: string;
  credentials?: Credentials | undefined;
  /** Keep-alive connections per origin. */
  maxConnections?: number;
  retry?: Partial<RetryPolicy>;
  /** Allow sending credentials to a token realm on another host over plain http. */
  allowInsecureRealm?: boolean;
}

/**
 * Base URL of a registry's API. Like Docker, loopback registries speak plain http unless told
 * otherwise; everything else is https unless marked insecure. Docker Hub's API lives on its own host.
 */
export function registryBaseUrl(registry: string, options: EndpointOptions = {}): string {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
  const plain = options.insecure === true || isLoopbackHost(registry);
  return `${plain ? 'http' : 'https'}://${host}`;
}
