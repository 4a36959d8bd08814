import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { buildConnector, Dispatcher, EnvHttpProxyAgent as UndiciEnvAgent, ProxyAgent as UndiciProxyAgent } from 'undici';
import { GUARDED_CONNECTOR, refusedError, type AddressGuard } from './guarded-connect.js';
import type { ProxyChoice } from './proxy-choice.js';
import { undiciInternal } from './undici-agent.js';

type Connector = ReturnType<typeof buildConnector>;
type ConnectOptions = Parameters<Connector>[0];
type Factory = (origin: string | URL, options: Record<string, unknown>) => Dispatcher;

/** undici's proxy agents and pools, loaded only when a proxy is used (see undici-agent.ts for why not from the index). */
export const UNDICI_PROXY_INTERNALS = [
  'undici/lib/dispatcher/proxy-agent.js',
  'undici/lib/dispatcher/env-http-proxy-agent.js',
  'undici/lib/dispatcher/pool.js',
  'undici/lib/dispatcher/client.js',
] as const;

export interface ProxiedAgentOptions {
  /** Pool options of the agent (connections, pipelining, keep-alive). */
  agent: Record<string, unknown>;
  /** TLS towards the registry (verification, CA), inside the tunnel. */
  tls: ConnectionOptions & { timeout?: number };
  /** How direct connections are made (the guarded connector when there is a guard). */
  directConnect: Connector | (ConnectionOptions & { timeout?: number });
  guard: AddressGuard | undefined;
}

/**
 * An agent that goes through the chosen proxy: https in a CONNECT tunnel (TLS to the registry
 * inside it, with the endpoint's verification and CA), plain http as absolute-URI requests to the
 * proxy. With an address guard (distribute jobs), plain http is tunnelled too and each tunnel's
 * host is checked against the guard before the proxy is asked for it: the proxy's own address is
 * the operator's choice, the registry's is the caller's. The proxy resolves the name again itself,
 * which the guard cannot see.
 */
export function proxiedAgent(choice: Exclude<ProxyChoice, { kind: 'direct' }>, options: ProxiedAgentOptions): Dispatcher {
  const common = {
    ...options.agent,
    requestTls: options.tls,
    proxyTls: { timeout: options.tls.timeout },
    proxyTunnel: options.guard !== undefined,
    ...(options.guard ? { factory: guardedTunnels(options.guard) } : {}),
  };
  if (choice.kind === 'fixed') {
    const ProxyAgent = undiciInternal(UNDICI_PROXY_INTERNALS[0]) as typeof UndiciProxyAgent;
    return new ProxyAgent({ ...common, uri: choice.url });
  }
  const EnvHttpProxyAgent = undiciInternal(UNDICI_PROXY_INTERNALS[1]) as typeof UndiciEnvAgent;
  // '' is "none" to undici (it reads process.env only for an absent key).
  return new EnvHttpProxyAgent({
    ...common,
    connect: options.directConnect,
    httpProxy: choice.httpProxy,
    httpsProxy: choice.httpsProxy,
    noProxy: choice.noProxy,
  });
}

/** Pools whose tunnel connections check the registry's address first (direct ones are guarded already). */
function guardedTunnels(guard: AddressGuard): Factory {
  const Pool = undiciInternal(UNDICI_PROXY_INTERNALS[2]) as new (origin: string | URL, options: object) => Dispatcher;
  const Client = undiciInternal(UNDICI_PROXY_INTERNALS[3]) as new (origin: string | URL, options: object) => Dispatcher;
  return (origin, options) => {
    const connect = options.connect;
    const guarded =
      typeof connect === 'function' && !(GUARDED_CONNECTOR in connect)
        ? (((opts: ConnectOptions, callback: Parameters<Connector>[1]) => {
            refusal(guard, opts.hostname).then(
              (refused) => (refused ? callback(refused, null) : (connect as Connector)(opts, callback)),
              (error: unknown) => callback(error as Error, null),
            );
          }) as Connector)
        : connect;
    const Kind = options.connections === 1 ? Client : Pool;
    return new Kind(origin, { ...options, connect: guarded });
  };
}

/** The error a tunnel to `hostname` is refused with, or undefined when the guard allows every address of it. */
async function refusal(guard: AddressGuard, hostname: string): Promise<Error | undefined> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  for (const address of addresses) {
    const why = guard.refuse(address);
    if (why) return refusedError(host, address, why);
  }
  return undefined;
}
