/**
 * The headers a distribute job may send to its `auth.url`. The token request is made by this
 * server, so a caller must not choose the headers that steer it elsewhere (`Host`, forwarding
 * headers) or that unlock a metadata service (`Metadata-Flavor`, `Metadata`, AWS's token header).
 */
const ALLOWED = new Set(['authorization', 'accept', 'accept-language', 'content-type', 'user-agent', 'cookie']);
/** `X-` headers that route, rewrite or impersonate instead of carrying an API key. */
const REFUSED_X =
  /^x-(forwarded(-|$)|real-ip$|client-ip$|cluster-client-ip$|original-|rewrite-|http-method|method-override$|host$|aws-ec2-metadata|google-metadata|envoy-)/i;
const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

export const ALLOWED_TOKEN_HEADERS =
  'Authorization, Accept, Accept-Language, Content-Type, User-Agent, Cookie, and X-* headers other than X-Forwarded-*, X-Real-IP, X-Original-*, X-Rewrite-*, X-HTTP-Method*, X-Host and metadata-service headers';

/** Why a header name may not be sent to a token URL, or undefined. Names are safe to quote; values never are. */
export function tokenHeaderProblem(name: string): string | undefined {
  if (!TOKEN_CHARS.test(name)) return `"${name.slice(0, 64)}" is not a header name`;
  const lower = name.toLowerCase();
  if (ALLOWED.has(lower) || (lower.startsWith('x-') && !REFUSED_X.test(lower))) return undefined;
  return `header "${name}" may not be set (allowed: ${ALLOWED_TOKEN_HEADERS})`;
}

/** Header values must not smuggle another header or request. */
export function headerValueProblem(value: string): string | undefined {
  return /[\r\n\0]/.test(value) ? 'a header value must not contain line breaks or NUL' : undefined;
}

/** `Name: value` lines (or an object) as request headers with lowercase names, and the problems found. */
export function tokenHeaders(header: string | Record<string, string> | undefined): { headers: Record<string, string>; problems: string[] } {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const problems: string[] = [];
  const add = (name: string, value: string) => {
    const problem = tokenHeaderProblem(name) ?? headerValueProblem(value);
    if (problem) problems.push(problem);
    else headers[name.toLowerCase()] = value;
  };
  if (typeof header === 'string') {
    header.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      const colon = line.indexOf(':');
      if (colon <= 0) problems.push(`line ${i + 1} is not "Name: value"`);
      else add(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    });
  } else if (header) {
    for (const [name, value] of Object.entries(header)) add(name, value);
  }
  return { headers, problems };
}
