import type { Dispatcher } from 'undici';
import type { Credentials } from '../auth/credentials.js';
import { AuthError } from '../errors/index.js';
import { readBodyLimited } from './read-body.js';
import { httpErrorOf } from './response-error.js';
import { sendWithRetry, type RetryListener } from './http-send.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Timeouts } from './timeouts.js';

export interface BearerChallenge {
  realm: string;
  service: string | undefined;
}

export interface TokenReply {
  token: string;
  expiresIn: number;
}

export interface TokenFetchContext {
  registry: string;
  /** Where the registry is spoken to now (its scheme may be learnt late, by the https/http probe). */
  registryUrl: () => URL;
  dispatcherFor: (url: URL) => Dispatcher;
  policy: RetryPolicy;
  timeouts?: Timeouts | undefined;
  allowInsecureRealm: boolean;
}

/**
 * Credentials go to a token realm over https, or over plain http only when the registry is itself
 * spoken to in plain http on the same host (any port): a challenge must not be able to make us send
 * passwords in clear text to another machine (a loopback port included), nor downgrade an https
 * registry's credentials to plain http.
 */
function mayReceiveCredentials(realm: URL, registryUrl: URL, allowInsecure: boolean): boolean {
  if (realm.protocol === 'https:' || allowInsecure) return true;
  return realm.protocol === 'http:' && registryUrl.protocol === 'http:' && realm.hostname === registryUrl.hostname;
}

/**
 * Docker token-auth: GET <realm>?service=S&scope=A&scope=B (one `scope` parameter per scope),
 * with Basic credentials when we have them, anonymous otherwise.
 */
export async function fetchToken(
  context: TokenFetchContext,
  challenge: BearerChallenge,
  scopes: readonly string[],
  credentials: Credentials | undefined,
  onRetry?: RetryListener,
): Promise<TokenReply> {
  let url: URL;
  try {
    url = new URL(challenge.realm);
  } catch {
    throw new AuthError(context.registry, `token realm "${challenge.realm}" is not a valid URL`);
  }
  // A realm is a web service: anything else (ftp:, file:, ...) is refused before anything is sent.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AuthError(
      context.registry,
      `token realm ${url.protocol}//${url.host}${url.pathname} is not an http or https URL: nothing was sent to it`,
    );
  }
  if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = { accept: 'application/json' };
  const shown = `${url.origin}${url.pathname}`;
  if (credentials) {
    if (!mayReceiveCredentials(url, context.registryUrl(), context.allowInsecureRealm)) {
      throw new AuthError(
        context.registry,
        `credentials for user "${credentials.username}" were not sent to the token service ${shown}: it is plain http and not the registry's own plain-http host`,
      );
    }
    headers.authorization = credentials.basicHeader();
  }
  const response = await sendWithRetry(
    context.dispatcherFor(url),
    { url, method: 'GET', headers, timeouts: context.timeouts },
    context.policy,
    onRetry,
  );
  const status = response.statusCode;
  if (status !== 200) {
    // Only 401/403 say anything about the credentials. A 5xx or 429 that outlasted the retries is
    // the token service's own trouble, whatever its body says.
    const error = await httpErrorOf({ status, method: 'GET', url: shown, body: response.body });
    if (status !== 401 && status !== 403) throw error.about(`token service of ${context.registry}`);
    const what = credentials
      ? `credentials for user "${credentials.username}" were rejected by its token service ${shown}`
      : `no credentials were configured for this registry, and its token service ${shown} refuses anonymous access`;
    throw new AuthError(context.registry, `${what} (${error.message})`, status, { cause: error });
  }
  const body = await readBodyLimited(response.body, 1024 * 1024, 'token reply');
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    doc = JSON.parse(body.toString('utf8')) as typeof doc;
  } catch {
    throw new AuthError(context.registry, `token service ${shown} did not answer JSON`);
  }
  // The spec allows either field; registries send one or both.
  const token = typeof doc.token === 'string' && doc.token ? doc.token : doc.access_token;
  if (typeof token !== 'string' || !token) throw new AuthError(context.registry, `token service ${shown} answered without a token`);
  return { token, expiresIn: typeof doc.expires_in === 'number' ? doc.expires_in : 60 };
}
