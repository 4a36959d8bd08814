import { createHash } from 'node:crypto';
import { PictureBookError } from '../errors/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';

/**
 * How the connections of an endpoint go out: straight to the host, through one proxy for every
 * request (a host's `proxy:` setting), or as the environment says for each request's host
 * (HTTPS_PROXY for https, HTTP_PROXY for http, none for the hosts NO_PROXY lists).
 */
export type ProxyChoice =
  { kind: 'direct' } | { kind: 'fixed'; url: string } | { kind: 'env'; httpProxy: string; httpsProxy: string; noProxy: string };

/** The `proxy:` value that means "no proxy, whatever the environment says". */
export const NO_PROXY_SETTING = 'none';

/** Why `value` cannot be a proxy URL (without quoting it: it may hold a password), or undefined. */
export function proxyUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    // `gw:3128` parses as a URL of scheme `gw:`: without `://` it is a host, not a URL.
    if (!value.includes('://')) throw new TypeError('no scheme');
    url = new URL(value);
  } catch {
    return 'is not a URL: write http://HOST:PORT (or "none" for no proxy)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `has the scheme ${url.protocol} where http: or https: is needed`;
  if (url.hostname === '') return 'has no host';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return 'must be http(s)://HOST:PORT, without a path';
  return undefined;
}

/** The proxy for an endpoint: its own setting, else the environment's (which may say none). */
export function proxyChoice(setting: string | undefined, env: NodeJS.ProcessEnv): ProxyChoice {
  if (setting === NO_PROXY_SETTING) return { kind: 'direct' };
  if (setting !== undefined && setting !== '') return { kind: 'fixed', url: checked(setting, 'proxy') };
  // curl's and undici's order: the lowercase name first.
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? '';
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? '';
  if (httpsProxy === '' && httpProxy === '') return { kind: 'direct' };
  return {
    kind: 'env',
    httpProxy: httpProxy && checked(httpProxy, 'HTTP_PROXY (environment)'),
    httpsProxy: httpsProxy && checked(httpsProxy, 'HTTPS_PROXY (environment)'),
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
  };
}

/** Tells proxy choices apart without putting a proxy's password in a key. */
export function proxyKey(choice: ProxyChoice): string {
  if (choice.kind === 'direct') return 'direct';
  const text = choice.kind === 'fixed' ? choice.url : `${choice.httpProxy}|${choice.httpsProxy}|${choice.noProxy}`;
  return `${choice.kind}:${createHash('sha256').update(text).digest('hex')}`;
}

/** A proxy URL's password is a secret: the scrubber learns it before any message could quote it. */
function checked(value: string, what: string): string {
  const problem = proxyUrlProblem(value);
  if (problem) throw new PictureBookError('CONFIG_INVALID', `${what} ${problem}`);
  const url = new URL(value);
  if (url.password) processScrubber.add(decodeURIComponent(url.password));
  return value;
}
