import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { htpasswdLine, selfSignedCert } from './pki.js';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir } from './procs.js';
import { registryConfigYaml, type RegistryConfigInput } from './registry-config.js';
import { launchRegistry, RegistryStartError, terminate } from './registry-process.js';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.js';

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  tls?: boolean;
  readonly?: boolean;
  /** `storage.delete.enabled: false`: manifest DELETEs answer 405 UNSUPPORTED (default: deletes allowed). */
  deleteEnabled?: boolean;
  username?: string;
  password?: string;
  /** htpasswd only: more users the registry accepts besides `username` (distribution grants every user everything). */
  moreUsers?: ReadonlyArray<{ username: string; password: string }>;
  /** Listen on IPv6 loopback (`[::1]:PORT`) instead of 127.0.0.1. */
  ipv6?: boolean;
  /** Token-issuer policy when auth is 'token' (also mutable later through `tokenIssuer`). */
  token?: { expiresIn?: number; acceptedFor?: number; allowAnonymousPull?: boolean; pullOnly?: string[]; allowPost?: boolean };
}

export interface TestRegistry {
  readonly host: string;
  readonly url: string;
  readonly rootDir: string;
  readonly auth: RegistryAuth;
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly caFile: string | undefined;
  readonly tokenIssuer: TokenIssuer | undefined;
  skopeoFlags(side: 'src' | 'dest' | 'plain'): string[];
  /** SIGTERM and wait; removes all temp dirs unless keepStorage (then start() may follow). */
  stop(options?: { keepStorage?: boolean }): Promise<void>;
  /** SIGKILL and wait, keeping storage and the token issuer (for fault tests). */
  kill(): Promise<void>;
  /** (Re)starts on the same port and storage; a new httpSecret invalidates open upload sessions. */
  start(options?: { httpSecret?: string }): Promise<void>;
}

export const TOKEN_SERVICE = 'picture-book-test-registry';
export const TOKEN_ISSUER = 'picture-book-test-issuer';
const BIND_ATTEMPTS = 5;

class RegistryInstance implements TestRegistry {
  readonly auth: RegistryAuth;
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly rootDir: string;
  caFile: string | undefined;
  tokenIssuer: TokenIssuer | undefined;
  #baseDir: string;
  #config: RegistryConfigInput;
  #child: ChildProcess | undefined;

  constructor(options: RegistryOptions, baseDir: string) {
    this.auth = options.auth ?? 'none';
    this.tls = options.tls ?? false;
    const withCreds = this.auth !== 'none';
    this.username = withCreds ? (options.username ?? 'tester') : undefined;
    this.password = withCreds ? (options.password ?? `pw-${randomBytes(8).toString('hex')}`) : undefined;
    this.#baseDir = baseDir;
    this.rootDir = join(baseDir, 'storage');
    this.#config = {
      port: 0,
      rootDir: this.rootDir,
      httpSecret: 'picture-book-fixed-test-secret',
      readonly: options.readonly ?? false,
      deleteEnabled: options.deleteEnabled ?? true,
      address: options.ipv6 ? '::1' : '127.0.0.1',
    };
  }

  get host(): string {
    return this.#config.address === '::1' ? `[::1]:${this.#config.port}` : `127.0.0.1:${this.#config.port}`;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}`;
  }

  async prepare(options: RegistryOptions): Promise<void> {
    await mkdir(this.rootDir, { recursive: true });
    if (this.tls) {
      const { certFile, keyFile } = await selfSignedCert(this.#baseDir, 'tls', 'localhost');
      this.caFile = certFile;
      this.#config.tls = { certificate: certFile, key: keyFile };
    }
    if (this.auth === 'htpasswd') {
      const path = join(this.#baseDir, 'htpasswd');
      const users = [{ username: this.username ?? '', password: this.password ?? '' }, ...(options.moreUsers ?? [])];
      const lines = await Promise.all(users.map((u) => htpasswdLine(u.username, u.password)));
      await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
      this.#config.htpasswd = { path };
    }
    if (this.auth === 'token') {
      const { certFile, keyFile } = await selfSignedCert(this.#baseDir, 'token-signer', 'picture-book token issuer');
      this.tokenIssuer = await startTokenIssuer({
        ...options.token,
        username: this.username ?? '',
        password: this.password ?? '',
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        keyFile,
        certFile,
      });
      this.#config.token = { realm: this.tokenIssuer.realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootCertBundle: certFile };
    }
  }

  /** First start: pick a free port, retrying when another process wins the race for it. */
  async firstStart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.#config.port = await freePort(this.#config.address);
      try {
        await this.start();
        return;
      } catch (error) {
        if (!(error instanceof RegistryStartError && error.addressInUse) || attempt >= BIND_ATTEMPTS) throw error;
      }
    }
  }

  async start(options: { httpSecret?: string } = {}): Promise<void> {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null)
      throw new Error(`registry ${this.host} is already running`);
    if (options.httpSecret) this.#config.httpSecret = options.httpSecret;
    const configFile = join(this.#baseDir, 'config.yml');
    await writeFile(configFile, registryConfigYaml(this.#config));
    this.#child = await launchRegistry(configFile, this.url);
  }

  async kill(): Promise<void> {
    if (this.#child) await terminate(this.#child, 'SIGKILL');
  }

  async stop(options: { keepStorage?: boolean } = {}): Promise<void> {
    if (this.#child) await terminate(this.#child, 'SIGTERM');
    if (options.keepStorage) return;
    await this.tokenIssuer?.close();
    await removeTempDir(this.#baseDir);
  }

  skopeoFlags(side: 'src' | 'dest' | 'plain'): string[] {
    const prefix = side === 'plain' ? '--' : `--${side}-`;
    const flags = [`${prefix}tls-verify=false`];
    if (this.username !== undefined) flags.push(`${prefix}creds`, `${this.username}:${this.password ?? ''}`);
    return flags;
  }
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const registry = new RegistryInstance(options, await makeTempDir('registry'));
  try {
    await registry.prepare(options);
    await registry.firstStart();
  } catch (error) {
    await registry.stop().catch(() => undefined);
    throw error;
  }
  return registry;
}
