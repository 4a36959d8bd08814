import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtSigner, type AccessEntry } from './jwt.js';

export interface TokenIssuerOptions {
  username: string;
  password: string;
  service: string;
  issuer: string;
  /** P-256 key and its self-signed certificate (the registry's rootcertbundle). */
  keyFile: string;
  certFile: string;
  expiresIn?: number;
  allowAnonymousPull?: boolean;
  pullOnly?: string[];
  allowPost?: boolean;
}

export interface TokenRequestRecord {
  method: string;
  scopes: string[];
  /** The authenticated user, 'anonymous', or the claimed name when the credentials were wrong. */
  user: string;
  status: number;
}

type Caller = { kind: 'anonymous' } | { kind: 'user'; name: string } | { kind: 'rejected'; name: string };

/**
 * A Docker token-auth server for the real registry. The policy fields are public and mutable so a
 * test can change them between requests (e.g. shorten expiry, revoke push).
 */
export class TokenIssuer {
  readonly requests: TokenRequestRecord[] = [];
  readonly service: string;
  readonly issuer: string;
  readonly rootCertFile: string;
  expiresIn: number;
  allowAnonymousPull: boolean;
  pullOnly: string[];
  /** When false, OAuth2 POST is refused with 405 so clients must fall back to GET. */
  allowPost: boolean;
  /** Headers of the token requests, in order (to check what clients send, e.g. User-Agent). */
  readonly requestHeaders: Array<IncomingMessage['headers']> = [];
  #failures: Array<{ status: number; headers: Record<string, string> }> = [];
  #server: Server;
  #signer: JwtSigner;
  #username: string;
  #password: string;
  #port = 0;

  private constructor(options: TokenIssuerOptions, signer: JwtSigner) {
    this.service = options.service;
    this.issuer = options.issuer;
    this.rootCertFile = options.certFile;
    this.expiresIn = options.expiresIn ?? 300;
    this.allowAnonymousPull = options.allowAnonymousPull ?? false;
    this.pullOnly = options.pullOnly ?? [];
    this.allowPost = options.allowPost ?? true;
    this.#signer = signer;
    this.#username = options.username;
    this.#password = options.password;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => res.destroy());
    });
  }

  static async start(options: TokenIssuerOptions): Promise<TokenIssuer> {
    const issuer = new TokenIssuer(options, await JwtSigner.fromFiles(options.keyFile, options.certFile));
    await new Promise<void>((resolve, reject) => {
      issuer.#server.once('error', reject);
      issuer.#server.listen(0, '127.0.0.1', () => resolve());
    });
    issuer.#port = (issuer.#server.address() as AddressInfo).port;
    return issuer;
  }

  /** The realm to put in the registry's config. */
  get realm(): string {
    return `http://127.0.0.1:${this.#port}/token`;
  }

  /** Signs a token directly, bypassing credentials (for tests that need a specific grant). */
  mint(access: AccessEntry[], subject = this.#username): string {
    return this.#signer.sign({ issuer: this.issuer, audience: this.service, subject, access, expiresIn: this.expiresIn });
  }

  /** The next `times` token requests are answered `status` (a 5xx, 429, ...) before anything is checked. */
  failNext(status: number, times: number, headers: Record<string, string> = {}): void {
    for (let i = 0; i < times; i++) this.#failures.push({ status, headers });
  }

  /** Drops failures set with failNext that were not used. */
  clearFailures(): void {
    this.#failures = [];
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      reply(res, 404, { error: 'not found' });
      return;
    }
    this.requestHeaders.push(req.headers);
    const failure = this.#failures.shift();
    if (failure) {
      this.requests.push({ method: req.method ?? 'GET', scopes: [], user: 'anonymous', status: failure.status });
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `injected HTTP ${failure.status}` }] }));
      return;
    }
    if (req.method === 'GET') {
      const scopes = url.searchParams
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter(Boolean);
      this.#issue(res, 'GET', scopes, this.#basicCaller(req.headers.authorization));
      return;
    }
    if (req.method === 'POST') {
      if (!this.allowPost) {
        reply(res, 405, { error: 'method not allowed' });
        return;
      }
      const form = new URLSearchParams(await readSmallBody(req));
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      if (form.get('grant_type') !== 'password') {
        this.requests.push({ method: 'POST', scopes, user: 'anonymous', status: 400 });
        reply(res, 400, { error: 'unsupported_grant_type' });
        return;
      }
      this.#issue(res, 'POST', scopes, this.#check(form.get('username') ?? '', form.get('password') ?? ''));
      return;
    }
    reply(res, 405, { error: 'method not allowed' });
  }

  #basicCaller(header: string | undefined): Caller {
    if (!header?.toLowerCase().startsWith('basic ')) return { kind: 'anonymous' };
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? { kind: 'rejected', name: decoded } : this.#check(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  #check(name: string, password: string): Caller {
    return name === this.#username && password === this.#password ? { kind: 'user', name } : { kind: 'rejected', name };
  }

  #issue(res: ServerResponse, method: string, scopes: string[], caller: Caller): void {
    const user = caller.kind === 'anonymous' ? 'anonymous' : caller.name;
    if (caller.kind === 'rejected') {
      this.requests.push({ method, scopes, user, status: 401 });
      return reply(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] });
    }
    this.requests.push({ method, scopes, user, status: 200 });
    const access = scopes.flatMap((scope) => this.#grant(scope, caller.kind === 'user'));
    const token = this.mint(access, caller.kind === 'user' ? caller.name : '');
    reply(res, 200, { token, access_token: token, expires_in: this.expiresIn, issued_at: new Date().toISOString() });
  }

  /** A partial or empty grant is not an error here: the registry answers 401/403 itself. */
  #grant(scope: string, authenticated: boolean): AccessEntry[] {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last === first) return [];
    const type = scope.slice(0, first);
    const name = scope.slice(first + 1, last);
    const requested = scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean);
    let actions: string[];
    if (!authenticated) actions = this.allowAnonymousPull && type === 'repository' ? requested.filter((a) => a === 'pull') : [];
    else if (type === 'repository' && this.pullOnly.includes(name)) actions = requested.filter((a) => a === 'pull');
    else actions = requested;
    return actions.length ? [{ type, name, actions }] : [];
  }
}

export function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  return TokenIssuer.start(options);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('token request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
