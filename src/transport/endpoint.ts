import type { Credentials } from '../auth/credentials.js';
import { apiHost, isLoopbackHost } from '../reference/index.js';
import type { AddressGuard } from './guarded-connect.js';
import type { HostLimits } from './host-events.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * How to talk to one registry host. Everything a copy task needs to reach it. Built from a host's
 * settings by toEndpointOptions (config/host-settings.ts), for config.yaml, copy's flags and
 * distribute jobs alike; an absent key means the default there (HOST_DEFAULTS).
 */
export interface EndpointOptions extends HostLimits {
  /**
   * Plain http, with no https attempt first (Docker's "insecure registry"): a plain-http server
   * may reset a TLS handshake instead of answering it, which no probe can tell from a broken link.
   */
  insecure?: boolean;
  /** The scheme is known (e.g. an endpoint URL said `http://`): use it, try nothing else first. */
  scheme?: 'http' | 'https';
  /** Verify the server certificate (default true; false also when `insecure`). */
  tlsVerify?: boolean;
  /** PEM file with extra CA certificates to trust. */
  caFile?: string;
  /** PEM text of CA certificates to trust for this endpoint (a distribute job's `ca`). */
  ca?: string | undefined;
  /**
   * Which addresses this endpoint's connections may reach, checked on the address connected to
   * (token realms and redirects included). Absent: any.
   */
  addressGuard?: AddressGuard | undefined;
  credentials?: Credentials | undefined;
  /**
   * A token obtained out of band (e.g. a distribute job's `auth.url`), sent as
   * `Authorization: <tokenType> <token>` on every request instead of answering challenges.
   */
  staticToken?: { token: string; type?: 'Bearer' | 'JWT' } | undefined;
  /** Keep-alive connections per origin. */
  maxConnections?: number;
  /**
   * Pipeline HEAD requests (is this tag, manifest or blob there?) on a few connections (default
   * true). false for a registry behind a proxy that mishandles HTTP/1.1 pipelining.
   */
  pipelining?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Allow sending credentials to a token realm on another host over plain http. */
  allowInsecureRealm?: boolean;
  /**
   * The HTTP(S) proxy every request of this endpoint goes through (`http://host:port`), or `none`
   * to go direct; absent: HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the environment.
   */
  proxy?: string | undefined;
}

export interface SchemePlan {
  /** The base URL tried first. */
  first: string;
  /** The plain http base URL, when falling back to it is allowed. */
  fallback: string | undefined;
}

/**
 * A scheme the caller knows is used as is; `insecure` means plain http, nothing tried first.
 * Otherwise like Docker: https first; loopback registries fall back to plain http when the server
 * answers a TLS handshake with something that is not TLS. Docker Hub's API lives on its own host.
 */
export function schemePlan(registry: string, options: EndpointOptions = {}): SchemePlan {
  const host = apiHost(registry);
  if (options.scheme) return { first: `${options.scheme}://${host}`, fallback: undefined };
  if (options.insecure === true) return { first: `http://${host}`, fallback: undefined };
  return { first: `https://${host}`, fallback: isLoopbackHost(registry) ? `http://${host}` : undefined };
}

/** TLS handshakes against a plain-http server fail like this: the peer answered with non-TLS bytes. */
export function isNotTlsError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; message?: unknown };
    if (e.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || e.code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || e.code === 'EPROTO') return true;
    if (typeof e.message === 'string' && /wrong version number|packet length too long|http request/i.test(e.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
