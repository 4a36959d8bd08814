import { PictureBookError } from '../../errors/index.js';
import { SCHEME } from '../../errors/mask-userinfo.js';
import { parseRegistryHost } from '../../reference/index.js';
import { splitHostPort } from '../../reference/registry-host.js';
import { oddAddressProblem } from './address-policy.js';

/** Where a registry of a distribute job is: the host for image references, and whether http is meant. */
export interface RegistryAddress {
  host: string;
  /** The endpoint said `http://`: talk plain http (Docker's "insecure registry"). */
  insecure: boolean;
}

/**
 * The host of a URL (or `host[:port]`) as written, before a URL parser rewrites it: `0x7f000001`
 * stays itself here, where `new URL` would make it 127.0.0.1. IPv6 keeps its brackets.
 */
export function writtenHost(text: string): string {
  const rest = text.replace(SCHEME, '');
  // WHATWG URLs read '\' as '/' in http(s) URLs.
  const authority = rest.split(/[/\\?#]/)[0] ?? '';
  return splitHostPort(authority.slice(authority.lastIndexOf('@') + 1)).host;
}

const invalid = (message: string): PictureBookError => new PictureBookError('ENDPOINT_INVALID', message);

/**
 * Reads a Docker registry V2 endpoint as the transfer-service API gives it
 * (`http://127.0.0.1:5000/v2`, `https://registry.example`, `registry.example:5000`). Throws an
 * ENDPOINT_INVALID error whose message says what is wrong; credentials in the URL are refused (they belong in `auth`), and
 * so are IP addresses in unusual forms (see oddAddressProblem).
 */
export function parseEndpoint(text: string): RegistryAddress {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid(`"${text}" is not a registry URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(`scheme ${url.protocol} is not supported; use http:// or https://`);
  if (url.username || url.password) throw invalid('credentials do not belong in the endpoint URL; use the auth block');
  if (url.search || url.hash) throw invalid('the endpoint must not have a query or fragment');
  if (!/^\/?(v2\/?)?$/.test(url.pathname)) throw invalid(`path "${url.pathname}" is not a registry API root; expected nothing or /v2`);
  const odd = oddAddressProblem(writtenHost(text));
  if (odd) throw invalid(odd);
  return { host: parseRegistryHost(url.host), insecure: url.protocol === 'http:' };
}
