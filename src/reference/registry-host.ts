import { isIPv4, isIPv6 } from 'node:net';
import { InvalidReferenceError } from '../errors/index.js';
import { SCHEME } from '../errors/mask-userinfo.js';

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
// Names under which Docker Hub is also known (old `docker login` keys, the API host itself);
// all normalise to docker.io so credentials and references agree on one key.
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

// distribution/reference: domain-component = [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
// distribution allows only plain (compressed or not) IPv6 in brackets: no zone ids, no embedded IPv4.
const BRACKETED_IPV6 = /^\[([a-fA-F0-9:]+)\]$/;

const IPV6_HINT = 'has an invalid IPv6 address (write it in brackets, e.g. [::1]:5000)';

/** Splits `host[:port]` and `[v6]:port`; port is undefined when absent. */
export function splitHostPort(value: string): { host: string; port: string | undefined } {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return { host: value, port: undefined };
    const rest = value.slice(end + 1);
    return { host: value.slice(0, end + 1), port: rest === '' ? undefined : rest.startsWith(':') ? rest.slice(1) : rest };
  }
  const colon = value.indexOf(':');
  return colon < 0 ? { host: value, port: undefined } : { host: value.slice(0, colon), port: value.slice(colon + 1) };
}

/** Why `value` is not a registry host, or undefined when it is one. */
export function registryHostProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.includes('@'))
    return 'must not contain credentials ("user:password@"): give them separately (pushAuthConfig/pullAuthConfig, --src-creds/--dest-creds)';
  if (SCHEME.test(value)) return 'must not have a scheme (drop "http://" or "https://")';
  if (/[/\s@?#]/.test(value)) return 'must be a host name or IP with an optional port, without path';
  // An unbracketed IPv6 address would otherwise read as host '' and a strange port.
  if (!value.startsWith('[') && /^[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:.]*$/.test(value)) return IPV6_HINT;
  const { host, port } = splitHostPort(value);
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return 'port must be 1-65535';
  if (host.startsWith('[')) {
    const inner = BRACKETED_IPV6.exec(host)?.[1];
    if (inner === undefined || !isIPv6(inner)) return IPV6_HINT;
    return undefined;
  }
  if (host === '') return 'has no host name';
  if (!host.split('.').every((label) => DOMAIN_COMPONENT.test(label))) return `has an invalid host name "${host}"`;
  return undefined;
}

/**
 * Validates a registry host as the distribution grammar allows (`host`, `host:port`, IPv4,
 * `[IPv6]:port`) and normalises it: lowercase, Docker Hub aliases -> docker.io.
 */
export function parseRegistryHost(value: string): string {
  const problem = registryHostProblem(value);
  if (problem !== undefined) throw new InvalidReferenceError(value, 'registry host', problem);
  return dockerHubAlias(value.toLowerCase());
}

/** `docker.io` for any name Docker Hub is known by (lowercase), any other host as it is. */
export function dockerHubAlias(host: string): string {
  return HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** The host a registry's API is served from: Docker Hub's differs from its name. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** True for localhost and loopback IPs, with or without port. Docker talks plain http to these by default. */
export function isLoopbackHost(registry: string): boolean {
  // A bare IPv6 address has colons that are not a port separator. Only strings with two colons can be
  // one: Node's isIPv6 compiles a huge regex on first use (~15 ms), which `host:port` need not pay.
  if (registry.indexOf(':') !== registry.lastIndexOf(':') && isIPv6(registry)) return isLoopbackIPv6(registry);
  const { host } = splitHostPort(registry);
  const inner = BRACKETED_IPV6.exec(host)?.[1];
  if (inner !== undefined) return isIPv6(inner) && isLoopbackIPv6(inner);
  if (host.toLowerCase() === 'localhost') return true;
  return isIPv4(host) && host.startsWith('127.');
}

function isLoopbackIPv6(address: string): boolean {
  // '::1' in any spelling (0:0:0:0:0:0:0:1, ::0:1): every group zero except a final 1.
  if (address.endsWith(':')) return false;
  const groups = address.split(':').filter((group) => group !== '');
  return (
    groups.length > 0 && Number.parseInt(groups.at(-1) ?? '', 16) === 1 && groups.slice(0, -1).every((g) => Number.parseInt(g, 16) === 0)
  );
}
