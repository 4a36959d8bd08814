/**
 * The one place that knows every secret of the process (configured passwords and tokens, a job's
 * credentials while it lives, credentials given as flags) and masks them, and any Basic or Bearer
 * credential, in text about to be shown, logged or stored: a registry's error body can echo the
 * Authorization header or the password it was sent, and that body ends up in messages.
 */
export const MASK = '***';

/**
 * Shorter plain-text secrets are not masked: a 3-character value would mask ordinary text in every
 * message. Their derived forms (a Basic header's base64) are long enough and are masked.
 */
export const MIN_SECRET_LENGTH = 4;

// `Basic <base64 of user:pass>`; `Bearer <token>` where the token has a digit or a token character
// (so that "Bearer authentication" in prose stays). The header name and scheme are kept.
const BASIC = /\b(Basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi;
const BEARER = /\b(Bearer)(\s+)((?=[A-Za-z0-9._~+/-]*[0-9._~+/-])[A-Za-z0-9._~+/-]{8,}=*)/gi;

function isBasicCredential(base64: string): boolean {
  const decoded = Buffer.from(base64, 'base64').toString('utf8');
  return decoded.includes(':') && !/[\0-\x08\x0e-\x1f\ufffd]/.test(decoded);
}

/** The forms a secret takes in text: as is, base64 (and base64url), URL-encoded, JSON-escaped. */
function forms(secret: string): string[] {
  const base64 = Buffer.from(secret).toString('base64');
  const variants = [
    secret,
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
  return [...new Set(variants)];
}

export class SecretScrubber {
  /** Each form, counted by how many registrations hold it (a job's credentials leave with the job). */
  #forms = new Map<string, number>();
  /** Longest first, so that a secret containing another is masked whole. */
  #sorted: string[] | undefined;

  /** Registers a secret (and its encoded forms); the returned function unregisters it. */
  add(secret: string): () => void {
    const held = secret.length >= MIN_SECRET_LENGTH ? forms(secret) : [];
    return this.#hold(held);
  }

  /** A username and password: the password, and `user:password` as a Basic header carries it. */
  addCredentials(username: string, password: string): () => void {
    const pair = `${username}:${password}`;
    const held = [
      ...(password.length >= MIN_SECRET_LENGTH ? forms(password) : []),
      Buffer.from(pair).toString('base64'),
      Buffer.from(pair).toString('base64').replace(/=+$/, ''),
    ];
    return this.#hold(held);
  }

  /** Registers several at once; one function releases them all. */
  addAll(secrets: ReadonlyArray<string | { username: string; password: string }>): () => void {
    const releases = secrets.map((s) => (typeof s === 'string' ? this.add(s) : this.addCredentials(s.username, s.password)));
    return () => releases.forEach((release) => release());
  }

  scrub(text: string): string {
    let out = text;
    for (const form of this.#ordered()) if (out.includes(form)) out = out.split(form).join(MASK);
    out = out.replace(BASIC, (all, scheme: string, space: string, value: string) =>
      isBasicCredential(value) ? `${scheme}${space}${MASK}` : all,
    );
    return out.replace(BEARER, (_all, scheme: string, space: string) => `${scheme}${space}${MASK}`);
  }

  /** Every string inside a JSON-like value, scrubbed (a copy; the value is not changed). */
  scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((item: unknown) => this.scrubDeep(item)) as T;
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.scrubDeep(item)])) as T;
    }
    return value;
  }

  #hold(held: string[]): () => void {
    for (const form of held) this.#forms.set(form, (this.#forms.get(form) ?? 0) + 1);
    this.#sorted = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const form of held) {
        const count = (this.#forms.get(form) ?? 1) - 1;
        if (count > 0) this.#forms.set(form, count);
        else this.#forms.delete(form);
      }
      this.#sorted = undefined;
    };
  }

  #ordered(): string[] {
    this.#sorted ??= [...this.#forms.keys()].sort((a, b) => b.length - a.length);
    return this.#sorted;
  }
}

/** The process's scrubber: the CLI and the sync server register their secrets here, every output uses it. */
export const processScrubber = new SecretScrubber();
