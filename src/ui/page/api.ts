import { learnServerTime } from './clock.js';

/** Where the token lives: this tab's session storage only (never a URL, a cookie or a log). */
const TOKEN_KEY = 'picture-book.token';

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** The server needs a token (the page says so as it is served). */
export const authRequired = (): boolean => document.body.dataset.auth !== 'off';

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The API sits beside the page: /ui/ -> /. Relative, so a proxy that serves it under a prefix works too. */
export function apiUrl(path: string): string {
  return new URL(`../${path.replace(/^\//, '')}`, new URL('.', location.href)).toString();
}

export function authHeaders(with_: string | null = token.get()): Record<string, string> {
  return with_ ? { authorization: `Bearer ${with_}` } : {};
}

let onUnauthorized: () => void = () => undefined;

/** What to do when the server refuses the token (it was changed by a reload, or is wrong): ask again. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function call<T>(method: 'GET' | 'POST', path: string, withToken?: string): Promise<T> {
  const response = await fetch(apiUrl(path), {
    method,
    headers: authHeaders(withToken ?? token.get()),
    cache: 'no-store',
    credentials: 'omit',
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const failure = new ApiFailure(response.status, error?.code ?? 'HTTP', error?.message ?? `${response.status} ${response.statusText}`);
    if (response.status === 401 && withToken === undefined) onUnauthorized();
    throw failure;
  }
  learnServerTime((body as { time?: string } | undefined)?.time);
  return body as T;
}

export const api = {
  get: <T>(path: string): Promise<T> => call<T>('GET', path),
  post: <T>(path: string): Promise<T> => call<T>('POST', path),
  /** Tries a token without keeping it: the login form's check. */
  check: <T>(path: string, candidate: string): Promise<T> => call<T>('GET', path, candidate),
};
