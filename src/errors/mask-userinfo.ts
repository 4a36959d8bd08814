/**
 * Finding and masking `user:password@` in text that was meant to be an image reference, so that
 * errors can quote what was given without quoting a password. Lives below src/reference because
 * every error that quotes a reference masks through it.
 */

/** `https://`, `oci://`, ...: a URL scheme, which a reference never has. */
export const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

// What may follow the '@' of `name@digest`: a digest, or an attempt at one (`sha256:abc`).
const DIGEST_LIKE = /^(?:sha\d*:|[a-z][a-z0-9]*(?:[-_+.][a-z][a-z0-9]*)*:[0-9a-f]{32,}$)/i;

export interface Userinfo {
  /** The scheme prefix, e.g. `https://` ('' when none). */
  scheme: string;
  /** The text between the scheme and the '@' that ends the userinfo. */
  userinfo: string;
  /** The rest, after that '@'. */
  rest: string;
}

/**
 * The `user[:password]@` part of a reference-like text, if it has one. The '@' of
 * `name@digest` is not userinfo: it comes after a '/', or is followed by something digest-like,
 * or (without a scheme) by a bare word when no ':' precedes it. With a scheme the text is a URL,
 * so a '/' before the '@' may belong to a password: masking more is the safe mistake.
 */
export function findUserinfo(text: string): Userinfo | undefined {
  const scheme = SCHEME.exec(text)?.[0] ?? '';
  const body = text.slice(scheme.length);
  for (let at = body.lastIndexOf('@'); at >= 0; at = at === 0 ? -1 : body.lastIndexOf('@', at - 1)) {
    const before = body.slice(0, at);
    const after = body.slice(at + 1);
    if (!scheme && before.includes('/')) continue;
    if (!after.includes('/') && DIGEST_LIKE.test(after)) continue;
    // `app@sha256` is a bad digest; `token@reg.example` (a host after the '@') is credentials.
    if (!scheme && !after.includes('/') && !before.includes(':') && !/[.:]/.test(after)) continue;
    return { scheme, userinfo: before, rest: after };
  }
  return undefined;
}

/** `https://tester:Pw1@host/app` -> `https://tester:***@host/app`; a lone user becomes `***@`. */
export function maskUserinfo(text: string): string {
  const found = findUserinfo(text);
  if (!found) return text;
  const colon = found.userinfo.indexOf(':');
  const masked = colon >= 0 ? `${found.userinfo.slice(0, colon)}:***` : '***';
  return `${found.scheme}${masked}@${found.rest}`;
}
