import { z } from 'zod';
import type { Credentials } from '../auth/credentials.js';
import type { EndpointOptions } from '../transport/index.js';
import { caFilePath, NO_CONTEXT, proxySetting, type SchemaContext } from './fields.js';

/** Bounds that keep every figure meaningful and every timer inside what Node can hold. */
const MAX_HOST_CONCURRENT = 1_000;
const MAX_REQUESTS_PER_SECOND = 10_000;
const MAX_QUOTA_WAIT_SECONDS = 7 * 86_400;

/**
 * How to reach one registry host, as config.yaml says it: the keys a registry entry has for its
 * target and every `sources:` entry has for its host, with their defaults. The only place they are
 * written: a new per-host setting (a connection limit, a proxy) is a line here and a line in
 * toEndpointOptions.
 */
export function hostSettingsShape(context: SchemaContext) {
  return {
    insecure: z.boolean().default(false).describe('plain http, with no https attempt first'),
    tlsVerify: z.boolean().default(true).describe("verify the server's certificate"),
    caFile: caFilePath(context).describe('PEM file of CA certificates to trust, relative to config.yaml'),
    pipelining: z.boolean().default(true).describe('HTTP/1.1-pipeline the HEAD checks (false: behind a proxy that mishandles it)'),
    maxConcurrent: z.number().int().positive().max(MAX_HOST_CONCURRENT).optional().describe('requests in flight to this host at once'),
    requestsPerSecond: z.number().positive().max(MAX_REQUESTS_PER_SECOND).optional().describe('requests started per second'),
    quotaReserve: z.number().int().min(0).optional().describe('pulls of the quota left untouched (manifest GETs wait)'),
    quotaWaitSeconds: z.number().positive().max(MAX_QUOTA_WAIT_SECONDS).optional().describe('how long a GET waits for the quota'),
    proxy: proxySetting.describe('http(s)://HOST:PORT of a proxy for this host, or "none"'),
  };
}

type HostShape = ReturnType<typeof hostSettingsShape>;

/** The keys with a default always present; the others (caFile, the limits, proxy) may be absent. */
export type HostSettings = z.output<z.ZodObject<HostShape>>;

const hostSchema = z.object(hostSettingsShape(NO_CONTEXT));
const HOST_KEYS = Object.keys(hostSchema.shape) as Array<keyof HostSettings>;

/** What a host gets when nothing is said about it. */
export const HOST_DEFAULTS: Readonly<HostSettings> = Object.freeze(hostSettingsOf(hostSchema.parse({})));

/** The host settings of a value that has them among other keys (a registry entry), every key present, in schema order. */
export function hostSettingsOf(value: Partial<HostSettings>): HostSettings {
  return Object.fromEntries(HOST_KEYS.map((key) => [key, value[key]])) as HostSettings;
}

/** A host's settings where a connection is made: with the credentials chosen for it and what only a caller knows. */
export interface HostAccess extends HostSettings {
  /** Present when the caller chose credentials (undefined: it found none); absent when it had none to choose from. */
  credentials?: Credentials | undefined;
  /** A scheme the caller knows (a distribute endpoint written `http://`): used as is. */
  scheme?: 'http' | 'https' | undefined;
  /** PEM text of CA certificates (a distribute job's `ca`), beside or instead of caFile. */
  ca?: string | undefined;
}

/**
 * The one way host settings become EndpointOptions, for every caller. A setting's path from
 * config.yaml to the socket:
 *   config.yaml → the schema (config/registry-schema.ts and host-entries-schema.ts with
 *   hostSettingsShape above: defaults, absolute caFile, parsed auth) → PictureBookConfig (a
 *   registry's own keys for its target, `sources:` for the hosts it pulls from) →
 *   load/registry-endpoints.ts (picks the host's settings and credentials) → toEndpointOptions →
 *   CopyTask.sourceEndpoint/targetEndpoint → RegistryClients (registry/registry-clients.ts: one
 *   Transport per host and settings) → Transport
 *   (transport/transport.ts: scheme, TLS verify, CA, pipelined HEADs) → an undici Agent
 *   (transport/agent-pool.ts) → the TLS socket.
 * `copy`'s flags (cli/endpoint-flags.ts) and distribute jobs (server/distribute/endpoint-options.ts)
 * join at toEndpointOptions. Only what differs from HOST_DEFAULTS is set: the transport takes an
 * absent key as the same default.
 */
export function toEndpointOptions(settings: HostAccess): EndpointOptions {
  const options: EndpointOptions = {};
  if ('credentials' in settings) options.credentials = settings.credentials;
  if (settings.insecure !== HOST_DEFAULTS.insecure) options.insecure = settings.insecure;
  if (settings.scheme) options.scheme = settings.scheme;
  if (settings.tlsVerify !== HOST_DEFAULTS.tlsVerify) options.tlsVerify = settings.tlsVerify;
  if (settings.caFile) options.caFile = settings.caFile;
  if (settings.ca) options.ca = settings.ca;
  if (settings.pipelining !== HOST_DEFAULTS.pipelining) options.pipelining = settings.pipelining;
  if (settings.maxConcurrent !== undefined) options.maxConcurrent = settings.maxConcurrent;
  if (settings.requestsPerSecond !== undefined) options.requestsPerSecond = settings.requestsPerSecond;
  if (settings.quotaReserve !== undefined) options.quotaReserve = settings.quotaReserve;
  if (settings.quotaWaitSeconds !== undefined) options.quotaWaitSeconds = settings.quotaWaitSeconds;
  if (settings.proxy !== undefined) options.proxy = settings.proxy;
  return options;
}
