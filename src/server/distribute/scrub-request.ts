import type { DistributeRequest } from './request-schema.js';

/**
 * The request as it may be kept once its job has ended: auth blocks (tokens, passwords, token
 * URLs that may carry secrets) are replaced by a marker.
 */
export function scrubRequest(request: DistributeRequest): unknown {
  const scrub = <T extends { auth?: unknown }>(side: T) => (side.auth === undefined ? side : { ...side, auth: '***' });
  return { source: scrub(request.source), targets: request.targets.map(scrub) };
}
