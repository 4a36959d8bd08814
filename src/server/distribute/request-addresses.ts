import { isIP } from 'node:net';
import { PictureBookError } from '../../errors/index.js';
import { splitHostPort } from '../../reference/registry-host.js';
import type { AddressPolicy } from './address-policy.js';
import { parseEndpoint } from './endpoint-address.js';
import type { DistributeRequest } from './request-schema.js';

/** A distribute job may not reach this address (see AddressPolicy). */
export class AddressRefusedError extends PictureBookError {
  constructor(message: string) {
    super('ADDRESS_REFUSED', message);
  }
}

function hostOf(url: string): string {
  return new URL(url).hostname;
}

/**
 * What the current policy refuses in a request, as written (no lookup yet: the job checks every
 * address a name resolves to, and each connection is checked again), one `field: problem` each.
 */
export function requestAddressProblems(request: DistributeRequest, policy: AddressPolicy): string[] {
  const sides: Array<[string, DistributeRequest['source'] | DistributeRequest['targets'][number]]> = [
    ['source', request.source],
    ...request.targets.map((t, i) => [`targets[${i}]`, t] as [string, typeof t]),
  ];
  return sides.flatMap(([field, side]) => {
    const problems: string[] = [];
    const endpoint = policy.hostProblem(splitHostPort(parseEndpoint(side.endpoint).host).host);
    if (endpoint) problems.push(`${field}.endpoint: ${endpoint}`);
    const token = side.auth?.url ? policy.hostProblem(hostOf(side.auth.url)) : undefined;
    if (token) problems.push(`${field}.auth.url: ${token}`);
    return problems;
  });
}

/**
 * Resolves a host and checks every address it has, before a job connects (a clear, typed error;
 * the connections themselves are guarded too, so a name that resolves elsewhere later gains nothing).
 */
export async function checkHostAddresses(host: string, policy: AddressPolicy, what: string): Promise<void> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const written = policy.hostProblem(bare);
  if (written) throw new AddressRefusedError(`${what}: ${written}`);
  if (isIP(bare) !== 0) return;
  const addresses = await policy.resolve(bare).catch(() => []); // an unknown name fails as the connection reports it
  for (const address of addresses) {
    const why = policy.refuse(address);
    if (why) throw new AddressRefusedError(`${what}: ${bare} resolves to ${address}, which ${why}`);
  }
}
