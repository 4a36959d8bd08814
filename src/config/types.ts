import type { Credentials } from '../auth/credentials.js';

/** Credentials from `pullAuthConfig` / `pushAuthConfig`: `user:pass`, or DockerConfigJSON matched by host. */
export type AuthSetting = { kind: 'userpass'; credentials: Credentials } | { kind: 'docker-config'; auths: Map<string, Credentials> };

export interface RegistryConfig {
  /** Target registry (normalised host[:port]). */
  hostname: string;
  /** Prefix of every target path ('' for none). */
  repository: string;
  pullAuth: AuthSetting | undefined;
  pushAuth: AuthSetting | undefined;
  syncPeriod: string | undefined;
  /** Absolute path. */
  syncerScript: string | undefined;
  syncerScriptArgs: string;
  syncerScriptTimeoutSeconds: number;
  deleteLocalImages: boolean;
  images: string[];
  insecure: boolean;
  tlsVerify: boolean;
  caFile: string | undefined;
  concurrency: number | undefined;
  /** Line of the file where this registry starts. */
  line: number;
}

export interface PictureBookConfig {
  file: string;
  registries: RegistryConfig[];
  display: 'spinner' | 'plain';
  api: { enabled: boolean; port: number; enableAuth: boolean; authToken: string; host: string };
  state: { path: string; retentionDays: number };
  sync: { runOnStart: boolean; gracePeriodSeconds: number; timezone: string };
  concurrency: { images: number; blobs: number };
}

export interface LoadedConfig {
  config: PictureBookConfig;
  warnings: string[];
}
