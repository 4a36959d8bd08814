import type { Credentials } from '../auth/credentials.js';
import type { ArtifactTypeFilter } from '../copy/referrers/artifact-filter.js';
import type { RuleSpec } from '../select/rule.js';
import type { PrunePolicy } from '../select/prune-policy.js';
import type { TimeoutSettings } from '../transport/timeouts.js';
import type { HostSettings } from './host-settings.js';
import type { NotificationSettings } from './notifications-schema.js';

/**
 * Credentials from `pullAuthConfig` / `pushAuthConfig`: `user:pass`, or DockerConfigJSON matched by
 * host, whose `credHelpers` / `credsStore` name helpers asked at run time (optional: configs built in code).
 */
export type AuthSetting =
  | { kind: 'userpass'; credentials: Credentials }
  | { kind: 'docker-config'; auths: Map<string, Credentials>; credHelpers?: ReadonlyMap<string, string>; credsStore?: string | undefined };

export type { HostSettings } from './host-settings.js';

/** Per source (pull) registry host, from the top-level `sources:` map (caFile absolute). */
export interface SourceSettings extends HostSettings {
  /** Used for this host instead of a registry's pullAuth. */
  auth: AuthSetting | undefined;
}

/** Normalised source host (as in a parsed reference: lowercase, docker.io) -> its settings. */
export type SourceMap = ReadonlyMap<string, SourceSettings>;

/** The top-level `targets:` map: push credentials by target host or `host/namespace` (longest match). */
export type TargetAuthMap = ReadonlyMap<string, { auth: AuthSetting | undefined }>;

/** How `syncerScript` was found: as written, where, and by which rule. */
export interface ScriptLookup {
  written: string;
  path: string;
  via: 'PATH' | 'absolute' | 'config-relative' | 'config-fallback';
}

/** One `registries` entry; its host settings (insecure, tlsVerify, caFile absolute, pipelining) are its target's. */
export interface RegistryConfig extends HostSettings {
  /** Target registry (normalised host[:port]). */
  hostname: string;
  /** Prefix of every target path ('' for none). */
  repository: string;
  pullAuth: AuthSetting | undefined;
  pushAuth: AuthSetting | undefined;
  syncPeriod: string | undefined;
  /** Absolute path. */
  syncerScript: string | undefined;
  /** How syncerScript was found, for messages (optional: configs built in code give a path). */
  syncerScriptLookup?: ScriptLookup;
  syncerScriptArgs: string;
  syncerScriptTimeoutSeconds: number;
  /** Caps on the script's stdout (optional: configs built in code get the defaults). */
  syncerScriptMaxLineBytes?: number;
  syncerScriptMaxLines?: number;
  deleteLocalImages: boolean;
  images: string[];
  /**
   * The `mirrors:` rules as written (checked when the config loaded; compiled again by each run,
   * labelled `mirrors[i]`). Optional: configs built in code may have none.
   */
  mirrors?: RuleSpec[];
  /**
   * The entry opts its `images:` list and syncer script into pruning (`pruneImages:`): a tag they
   * wrote goes once it leaves them, or once its listed source has been gone for `graceRuns` runs.
   */
  pruneImages?: PrunePolicy;
  concurrency: number | undefined;
  /** Signatures, attestations and SBOMs follow each image (optional: configs built in code get true). */
  referrers?: boolean;
  /** cosign's `sha256-<hex>.*` tags too (optional: true). */
  cosignTags?: boolean;
  /** Which artifact types of referrers travel (optional: all). */
  artifactTypes?: ArtifactTypeFilter;
  /** Passes over the failed images once every image was tried (image-syncer's `--retries`; optional: 0). */
  retries?: number;
  /** Line of the file where this registry starts. */
  line: number;
  /** The config's `sources:` (the same map for every registry; optional: configs built in code). */
  sources?: SourceMap;
  /** The config's `targets:` (the same map for every registry; absent when it has no entry). */
  targets?: TargetAuthMap;
  /**
   * Settings and credentials for the target by host or `host/namespace`, longest match (built from
   * an image-syncer auth file, which serves both sides, or from config.yaml's `targets:` with this
   * entry's own host settings); absent or no key covering a repository: the entry's own keys and pushAuth.
   */
  pushSources?: SourceMap;
}

/**
 * A value that took text from the environment (`${VAR}`), outside the identity fields that must be
 * shown as they are (hostname, repository, images, syncPeriod, api.host, sync.timezone). It may
 * hold a secret: the API shows `original` instead, and the server log scrubs `values`.
 */
export interface EnvSourcedValue {
  /** Key path, e.g. `registries[0].syncerScriptArgs`. */
  path: string;
  /** As written in the file, e.g. `--api-key ${SCRIPT_KEY}`. */
  original: string;
  /** The variables' values and the expanded text. */
  values: string[];
}

export interface PictureBookConfig {
  file: string;
  registries: RegistryConfig[];
  display: 'spinner' | 'plain';
  api: {
    enabled: boolean;
    port: number;
    enableAuth: boolean;
    authToken: string;
    host: string;
    /** Networks beyond the public internet distribute jobs may reach (absent: loopback only). */
    distributeAllowedNetworks?: readonly string[];
  };
  state: { path: string; retentionDays: number };
  sync: { runOnStart: boolean; gracePeriodSeconds: number; timezone: string };
  concurrency: { images: number; blobs: number };
  /** The `queue:` block (optional: configs built in code copy in-process). */
  queue?: QueueSettings;
  /** The `timeouts:` block (optional: configs built in code use the transport's defaults). */
  timeouts?: TimeoutSettings;
  sources?: SourceMap;
  /** The `targets:` map (optional: configs built in code have none). */
  targets?: TargetAuthMap;
  /** Values that came from environment variables (optional: configs built in code have none). */
  fromEnvironment?: EnvSourcedValue[];
  /** The `notifications:` block (optional: configs built in code send none). */
  notifications?: NotificationSettings;
}

/** Scale-out through Redis: without `url`, copies run in the `sync` process. */
export interface QueueSettings {
  url?: string;
  name: string;
  stalledSeconds: number;
  /** A worker's jobs taken ahead of a free copy slot (absent: one per slot, `defaultPrefetch` of src/queue/copy-worker.ts). */
  prefetch?: number;
  /** Per source host: copies reading from it at once, across every worker of the queue. */
  sourceCopies?: Record<string, number>;
  /** The file holding the key that seals job data (a distribute request's credentials); relative to the config file. */
  keyFile?: string;
}

export interface LoadedConfig {
  config: PictureBookConfig;
  warnings: string[];
}
