import { Agent, request } from 'undici';
import { AuthError, errorMessage, NetworkError } from '../../errors/index.js';
import { guardedConnector, type AddressGuard } from '../../transport/index.js';
import type { DistributeAuth } from './request-schema.js';
import { tokenHeaders } from './token-headers.js';

export interface TokenConnection {
  tlsVerify: boolean;
  /** PEM text of the CA to trust (the endpoint's `ca`). */
  ca?: string | undefined;
  /** Which addresses the request may reach. */
  guard?: AddressGuard | undefined;
}

const MAX_TOKEN_REPLY = 64 * 1024;
const TOKEN_TIMEOUT_MS = 30_000;

/** A token reply: JSON with `token` / `access_token` (as Docker token servers answer), or the bare token. */
function tokenFrom(body: string): string | undefined {
  const text = body.trim();
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'string') return parsed || undefined;
    if (parsed && typeof parsed === 'object') {
      const { token, access_token: accessToken } = parsed as { token?: unknown; access_token?: unknown };
      const found = typeof token === 'string' && token ? token : accessToken;
      return typeof found === 'string' && found ? found : undefined;
    }
    return undefined;
  } catch {
    return text && !/\s/.test(text) ? text : undefined;
  }
}

/**
 * Gets a token from a distribute job's `auth.url`: POST with the `json` body when one is given,
 * GET otherwise, with the `header` lines.
 */
export async function fetchOutOfBandToken(
  auth: DistributeAuth & { url: string },
  connection: TokenConnection,
  signal: AbortSignal,
): Promise<string> {
  const url = new URL(auth.url);
  // The query may carry secrets (keys, passwords): errors show only where the endpoint is.
  const shown = `${url.origin}${url.pathname}`;
  // Refused headers were a 400 when the job was posted; a stored request is read the same way.
  const headers: Record<string, string> = { accept: 'application/json', ...tokenHeaders(auth.header).headers };
  const body = auth.json === undefined ? undefined : typeof auth.json === 'string' ? auth.json : JSON.stringify(auth.json);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const tls = { rejectUnauthorized: connection.tlsVerify, ...(connection.ca ? { ca: connection.ca } : {}) };
  // undici's request() follows no redirects: the answer comes from the URL that was checked.
  const dispatcher = new Agent({ connect: connection.guard ? guardedConnector(connection.guard, tls) : tls });
  try {
    const response = await request(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body,
      dispatcher,
      signal: AbortSignal.any([signal, AbortSignal.timeout(TOKEN_TIMEOUT_MS)]),
    }).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw new NetworkError(body === undefined ? 'GET' : 'POST', shown, errorMessage(error), { cause: error });
    });
    let text = '';
    for await (const chunk of response.body) {
      text += String(chunk);
      if (text.length > MAX_TOKEN_REPLY)
        throw new AuthError(url.host, `token endpoint ${shown} answered more than ${MAX_TOKEN_REPLY} bytes`);
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new AuthError(url.host, `token endpoint ${shown} answered ${response.statusCode}`, response.statusCode);
    }
    const token = tokenFrom(text);
    if (!token) throw new AuthError(url.host, `token endpoint ${shown} answered without a token`);
    return token;
  } finally {
    await dispatcher.close();
  }
}
