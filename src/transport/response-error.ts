import type { Readable } from 'node:stream';
import { AuthError, HttpError, type RegistryErrorEntry } from '../errors/index.js';
import { readBodyLimited } from './read-body.js';

const ERROR_BODY_LIMIT = 64 * 1024;

/** Parses distribution's `{"errors":[{code,message,detail}]}` body; tolerant of anything else. */
export function parseRegistryErrors(text: string): RegistryErrorEntry[] {
  try {
    const doc = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        message: typeof e.message === 'string' ? e.message : '',
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      }));
  } catch {
    return [];
  }
}

const AUTH_CODES = new Set(['DENIED', 'UNAUTHORIZED']);

/**
 * The typed error for an unexpected response. 401/403 and the registry's DENIED/UNAUTHORIZED
 * codes are auth problems; everything else is an HTTP problem carrying the registry's code.
 */
export async function responseError(init: {
  status: number;
  method: string;
  url: string;
  registry: string;
  body: Readable;
  /** For a 401: what was refused (no credentials configured, or which ones were rejected). */
  refusal?: string | undefined;
}): Promise<HttpError | AuthError> {
  const httpError = await httpErrorOf(init);
  const errors = httpError.errors;
  const first = errors[0];
  if (init.status === 401 || init.status === 403 || (first && AUTH_CODES.has(first.code))) {
    const what = init.status === 401 ? (init.refusal ?? 'authentication required or credentials rejected') : 'access denied';
    return new AuthError(init.registry, `${what} (${httpError.message})`, init.status, { cause: httpError });
  }
  return httpError;
}

/** The HttpError for an unexpected answer, its body read (bounded) for the server's own words. */
export async function httpErrorOf(init: { status: number; method: string; url: string; body: Readable }): Promise<HttpError> {
  let text = '';
  try {
    text = (await readBodyLimited(init.body, ERROR_BODY_LIMIT, 'error body')).toString('utf8');
  } catch {
    // An unreadable error body still leaves the status to report.
  }
  return new HttpError({
    status: init.status,
    method: init.method,
    url: init.url,
    errors: parseRegistryErrors(text),
    summary: summarise(text),
  });
}

/** The body on one line, shortened; empty for a bodiless answer (the status says it all). */
function summarise(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
