import type { DistributeAuth, DistributeRequest } from './request-schema.js';

/**
 * The request as it may be kept once its job has ended: auth blocks (tokens, passwords, token
 * URLs that may carry secrets) are replaced by a marker.
 */
export function scrubRequest(request: DistributeRequest): unknown {
  const scrub = <T extends { auth?: unknown }>(side: T) => (side.auth === undefined ? side : { ...side, auth: '***' });
  return { source: scrub(request.source), targets: request.targets.map(scrub) };
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

function authSecrets(auth: DistributeAuth | undefined): Array<string | { username: string; password: string }> {
  if (!auth) return [];
  const secrets: Array<string | { username: string; password: string }> = [];
  if (auth.basicauth) secrets.push({ username: auth.basicauth.user, password: auth.basicauth.password });
  // Header values (API keys, `Bearer ...`), the token request's body and the URL's query values.
  const header = auth.header;
  if (typeof header === 'string') secrets.push(...header.split(/\r?\n/).map((line) => line.slice(line.indexOf(':') + 1).trim()));
  else if (header) secrets.push(...Object.values(header));
  secrets.push(...stringsIn(typeof auth.json === 'string' ? safeParse(auth.json) : auth.json));
  if (auth.url) secrets.push(...[...new URL(auth.url).searchParams.values()]);
  return secrets.filter((s) => s !== '');
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Every secret a job's request carries, for the scrubber while the job lives. */
export function jobSecrets(request: DistributeRequest): Array<string | { username: string; password: string }> {
  return [request.source, ...request.targets].flatMap((side) => authSecrets(side.auth));
}
