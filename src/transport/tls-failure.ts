import { TlsError, type TlsProblem } from '../errors/index.js';

// Node's (OpenSSL's) verification codes, by what they mean for the user.
const UNKNOWN_CA = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const HOSTNAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

const TRUST = 'trust its CA with caFile (copy: --src-ca-file / --dest-ca-file)';
const NO_VERIFY = 'turn verification off with tlsVerify: false (copy: --src-tls-verify=false / --dest-tls-verify=false)';

const ADVICE: Record<TlsProblem, { what: string; todo: string }> = {
  'unknown-ca': { what: "the server's certificate is not signed by a CA picture-book trusts", todo: `${TRUST}, or ${NO_VERIFY}` },
  'hostname-mismatch': {
    what: "the server's certificate is not issued for this host name",
    todo: `use the name it was issued for, or ${NO_VERIFY}`,
  },
  expired: { what: "the server's certificate has expired or is not valid yet", todo: `renew it, or ${NO_VERIFY}` },
  'not-tls': {
    what: 'the server does not speak TLS here',
    todo: 'if it is a plain-http registry, say so with insecure: true (copy: --src-insecure / --dest-insecure)',
  },
  handshake: { what: 'the TLS handshake failed', todo: "check the server's TLS setup, caFile and tlsVerify" },
};

/** OpenSSL's `...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:` -> its reason. */
function reasonOf(message: string): string {
  const parts = message.split(':');
  const routines = parts.findIndex((p) => p.endsWith(' routines'));
  const reason = routines >= 0 ? parts[routines + 2] : undefined;
  return (reason ?? message.split('\n')[0] ?? '').trim();
}

function problemOf(code: string, message: string): TlsProblem | undefined {
  if (UNKNOWN_CA.has(code)) return 'unknown-ca';
  if (HOSTNAME.has(code)) return 'hostname-mismatch';
  if (EXPIRED.has(code)) return 'expired';
  if (NOT_TLS.has(code) || (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message)))
    return 'not-tls';
  if (/^ERR_(SSL|TLS)_/.test(code) || /^(CERT|UNABLE_TO)_/.test(code)) return 'handshake';
  return undefined;
}

/** The TlsError for a failure whose cause chain holds a TLS or certificate error, else undefined. */
export function tlsFailure(method: string, url: string, error: unknown): TlsError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; message?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    const problem = problemOf(code, message);
    if (problem) {
      const reason = reasonOf(message);
      const { what, todo } = ADVICE[problem];
      return new TlsError(method, url, problem, `TLS: ${what} (${code}${reason && reason !== code ? `: ${reason}` : ''}); ${todo}`, {
        cause: error,
      });
    }
    current = e.cause;
  }
  return undefined;
}
