import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createRequire } from 'node:module';
import { isIP, type LookupFunction } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';

/**
 * Which addresses the connections of an endpoint may reach: the distribute API takes endpoints and
 * token URLs from callers, who must not make this process a request forger into the metadata service
 * or private networks. The check is made on the address actually connected to (after DNS, for every
 * address a name resolves to), so a name that resolves elsewhere the second time gains nothing.
 */
export interface AddressGuard {
  /** Why connecting to this IP address is refused, or undefined when it is allowed. */
  refuse(address: string): string | undefined;
}

/** The code of the error a refused connection fails with (not retried). */
export const ADDRESS_REFUSED = 'ADDRESS_REFUSED';

function refusedError(host: string, address: string, why: string): Error {
  const shown = host === address ? address : `${host} (${address})`;
  return Object.assign(new Error(`${shown} ${why}`), { code: ADDRESS_REFUSED });
}

/** dns.lookup that fails when any address of the name is refused; the socket connects to what was checked. */
export function guardedLookup(guard: AddressGuard): LookupFunction {
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const why = guard.refuse(address);
        if (why) return callback(refusedError(hostname, address, why), []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      return first
        ? callback(null, first.address, first.family)
        : callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    });
  };
}

type Connector = ReturnType<typeof BuildConnector>;
type ConnectOptions = Parameters<typeof BuildConnector>[0];

// undici's connector without undici's index (see undici-agent.ts for why).
const require = createRequire(import.meta.url);
const buildConnector = require('undici/lib/core/connect.js') as typeof BuildConnector;

/**
 * An undici connector that asks the guard first. Node resolves names through `lookup` but connects
 * to IP literals (a redirect's or token realm's too) without it: those are checked here.
 */
export function guardedConnector(guard: AddressGuard, options: ConnectOptions): Connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup(guard) });
  return (opts, callback) => {
    const host = opts.hostname.replace(/^\[(.*)\]$/, '$1');
    const why = isIP(host) ? guard.refuse(host) : undefined;
    if (why) {
      callback(refusedError(host, host, why), null);
      return undefined;
    }
    return connect(opts, callback);
  };
}
