import { NetworkError } from './network-error.js';

/** What went wrong in a TLS handshake, as far as a client can tell. */
export type TlsProblem = 'unknown-ca' | 'hostname-mismatch' | 'expired' | 'not-tls' | 'handshake';

/**
 * A TLS handshake or certificate check failed: code `TLS`, a network error all the same. The
 * message says what failed and what to do about it; `problem` says the same for programs.
 */
export class TlsError extends NetworkError {
  readonly problem: TlsProblem;

  constructor(method: string, url: string, problem: TlsProblem, detail: string, options?: { cause?: unknown }) {
    super(method, url, detail, { ...options, code: 'TLS' });
    this.problem = problem;
  }
}
