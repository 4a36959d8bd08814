import { stringify } from 'yaml';

export interface RegistryConfigInput {
  port: number;
  /** The loopback address it listens on: 127.0.0.1 or ::1. */
  address: string;
  rootDir: string;
  httpSecret: string;
  readonly: boolean;
  /** `storage.delete.enabled` (on unless said otherwise): off, a DELETE of a manifest answers 405 UNSUPPORTED. */
  deleteEnabled?: boolean;
  tls?: { certificate: string; key: string };
  htpasswd?: { path: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

/** The distribution 2.8.2 config file: quiet logs, deletes on (unless turned off), fixed secret (uploads survive restarts). */
export function registryConfigYaml(input: RegistryConfigInput): string {
  const maintenance = {
    uploadpurging: { enabled: false },
    readonly: { enabled: input.readonly },
  };
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: input.rootDir }, delete: { enabled: input.deleteEnabled ?? true }, maintenance },
    http: {
      addr: input.address.includes(':') ? `[${input.address}]:${input.port}` : `${input.address}:${input.port}`,
      secret: input.httpSecret,
      ...(input.tls ? { tls: input.tls } : {}),
    },
  };
  if (input.htpasswd) config.auth = { htpasswd: { realm: 'picture-book-test', path: input.htpasswd.path } };
  if (input.token) {
    const { realm, service, issuer, rootCertBundle } = input.token;
    config.auth = { token: { realm, service, issuer, rootcertbundle: rootCertBundle } };
  }
  return stringify(config);
}
