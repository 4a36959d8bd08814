import type { FastifyRequest } from 'fastify';

/**
 * Why a request that changes state must be refused as cross-origin (CSRF), or undefined. A web page
 * can make a browser send a GET or a form POST to the API on loopback; browsers say where such a
 * request comes from (`Sec-Fetch-Site`, `Origin`). Tools like curl send neither and pass.
 */
export function crossOriginProblem(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `a request from another site (Sec-Fetch-Site: ${site}) may not change anything`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== undefined && host === request.headers.host) return undefined;
  return `a request from another origin (Origin: ${origin.slice(0, 100)}) may not change anything`;
}
