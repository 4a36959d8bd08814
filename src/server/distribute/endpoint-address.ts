import { parseRegistryHost } from '../../reference/index.js';

/** Where a registry of a distribute job is: the host for image references, and whether http is meant. */
export interface RegistryAddress {
  host: string;
  /** The endpoint said `http://`: talk plain http (Docker's "insecure registry"). */
  insecure: boolean;
}

/**
 * Reads a Docker registry V2 endpoint as the transfer-service API gives it
 * (`http://127.0.0.1:5000/v2`, `https://registry.example`, `registry.example:5000`). Throws an Error
 * whose message says what is wrong; credentials in the URL are refused (they belong in `auth`).
 */
export function parseEndpoint(text: string): RegistryAddress {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`"${text}" is not a registry URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`scheme ${url.protocol} is not supported; use http:// or https://`);
  if (url.username || url.password) throw new Error('credentials do not belong in the endpoint URL; use the auth block');
  if (url.search || url.hash) throw new Error('the endpoint must not have a query or fragment');
  if (!/^\/?(v2\/?)?$/.test(url.pathname)) throw new Error(`path "${url.pathname}" is not a registry API root; expected nothing or /v2`);
  return { host: parseRegistryHost(url.host), insecure: url.protocol === 'http:' };
}
