import { InvalidReferenceError } from '../errors/index.js';

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
// Names under which Docker Hub is also known; all normalise to docker.io.
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

const LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;

/** Splits `host[:port]` / `[v6]:port`; undefined port when absent. */
function splitHostPort(value: string): { host: string; port: string | undefined } {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return { host: value, port: undefined };
    const rest = value.slice(end + 1);
    return { host: value.slice(0, end + 1), port: rest.startsWith(':') ? rest.slice(1) : rest === '' ? undefined : rest };
  }
  const colon = value.lastIndexOf(':');
  return colon < 0 ? { host: value, port: undefined } : { host: value.slice(0, colon), port: value.slice(colon + 1) };
}

/**
 * Validates a registry host as the distribution grammar allows (`host`, `host:port`, IPv4,
 * `[IPv6]:port`) and normalises it (lowercase; Docker Hub aliases -> docker.io).
 */
export function parseRegistryHost(value: string): string {
  const fail = (reason: string) => new InvalidReferenceError(value, 'registry host', reason);
  if (value === '') throw fail('is empty');
  if (/[/\s@]/.test(value)) throw fail('must be a host name or IP with an optional port, without scheme or path');
  const { host, port } = splitHostPort(value);
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw fail('port must be 1-65535');
  }
  if (host.startsWith('[')) {
    if (!/^\[[0-9a-fA-F:.]+\]$/.test(host)) throw fail('has an invalid IPv6 address');
  } else if (!host.split('.').every((label) => LABEL.test(label))) {
    throw fail('has an invalid host name');
  }
  const normalised = `${host.toLowerCase()}${port !== undefined ? `:${port}` : ''}`;
  return HUB_ALIASES.has(normalised) ? DOCKER_HUB : normalised;
}

/** Loopback registries get plain http by default, as Docker does. */
export function isLoopbackHost(registry: string): boolean {
  let host = registry;
  if (host === '::1') return true;
  host = splitHostPort(host).host;
  if (host === '[::1]') return true;
  if (host.toLowerCase() === 'localhost') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
