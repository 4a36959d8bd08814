import { z } from 'zod';
import {
  authSetting,
  checkedBy,
  imageReference,
  refusal,
  sourceKey,
  repositoryPrefix,
  scriptLookup,
  targetPlace,
  workingDirPath,
  type SchemaContext,
} from './fields.js';
import { artifactTypesSchema, pruneSpecSchema, rulesSchema } from '../select/rule-schema.js';
import { compilePrunePolicy } from '../select/prune-policy.js';
import { pruneImagesProblem } from './prune-images.js';
import { hostSettingsOf, hostSettingsShape } from './host-settings.js';
import { listenHostProblem } from './listen-host.js';
import { notificationsSchema } from './notifications-schema.js';
import { queueUrlProblem } from './queue-url.js';
import { DEFAULT_ALLOWED_NETWORKS, networkEntryProblem } from './network-list.js';
import { splitScriptArgs } from './script-args.js';
import type { RegistryConfig, SourceMap, SourceSettings, TargetAuthMap } from './types.js';

// Upper bounds keep every duration inside what a Node timer can hold (2^31-1 ms, ~24.8 days;
// beyond it setTimeout fires at once) and reject YAML's .inf / 1e400 (Infinity).
export const MAX_SCRIPT_TIMEOUT_SECONDS = 86_400;
export const MAX_GRACE_PERIOD_SECONDS = 3_600;
export const MAX_RETENTION_DAYS = 3_650;
export const MAX_CONCURRENCY = 1_000;
// Syncer script output is read line by line and kept until the script ends: caps bound the memory
// a runaway script can take (a reference is at most a few hundred bytes).
export const DEFAULT_SCRIPT_MAX_LINE_BYTES = 8_192;
export const MAX_SCRIPT_MAX_LINE_BYTES = 1_048_576;
export const DEFAULT_SCRIPT_MAX_LINES = 100_000;
export const MAX_SCRIPT_MAX_LINES = 1_000_000;
export const MAX_TIMEOUT_SECONDS = 86_400;
export const MAX_BLOB_MIN_BYTES = 1024 ** 3;
export const MAX_RETRY_PASSES = 100;
export const MAX_STALLED_SECONDS = 3_600;

/**
 * One `registries` entry, with the seed's keys and their seed meaning, plus documented additions.
 * Parsed, it is a RegistryConfig: host normalised, auth parsed, paths absolute and checked.
 */
function registrySchema(context: SchemaContext) {
  return z
    .object({
      hostname: targetPlace(context).describe(
        'the target registry: name or IP, optional :port; or an OCI layout on disk, oci:DIR or oci-archive:FILE.tar (relative to config.yaml)',
      ),
      repository: repositoryPrefix.describe('prefix of every target path'),
      pullAuthConfig: authSetting.describe('credentials for the registries images are pulled from'),
      pushAuthConfig: authSetting.describe('credentials for the target registry'),
      syncPeriod: z.string().optional().describe('cron (5 fields, or 6 with seconds) for `sync`'),
      syncerScript: scriptLookup(context).describe('prints the images to mirror (on PATH, or relative to config.yaml)'),
      syncerScriptArgs: z
        .string()
        .default('')
        .superRefine(checkedBy(refusal(splitScriptArgs)))
        .describe('arguments of the script, split like a shell would, without one'),
      deleteLocalImages: z.boolean().default(false).describe('accepted; no effect (daemonless: nothing local to delete)'),
      // Additions:
      images: z
        .array(imageReference)
        .default([])
        .describe('a literal list of references (or repo:* / repo:/regex/ for many tags), instead of or with the script'),
      mirrors: rulesSchema.describe('selection rules: repositories, namespaces or registries, with tag and repository filters'),
      pruneImages: pruneSpecSchema
        .optional()
        .describe('delete target tags the images: list or the syncer script wrote once they leave it (or their source is gone)'),
      ...hostSettingsShape(context),
      concurrency: z.number().int().positive().max(MAX_CONCURRENCY).optional().describe('images of this registry at once'),
      referrers: z.boolean().default(true).describe("copy each image's signatures, attestations and SBOMs (OCI referrers, cosign tags)"),
      cosignTags: z.boolean().default(true).describe("with referrers: also cosign's sha256-<hex>.sig/.att/.sbom tags"),
      artifactTypes: artifactTypesSchema.optional(),
      retries: z
        .number()
        .int()
        .min(0)
        .max(MAX_RETRY_PASSES)
        .default(0)
        .describe('passes over the failed images once every image was tried (as image-syncer --retries)'),
      syncerScriptTimeoutSeconds: z
        .number()
        .positive()
        .max(MAX_SCRIPT_TIMEOUT_SECONDS)
        .default(120)
        .describe('how long the script may run'),
      syncerScriptMaxLineBytes: z
        .number()
        .int()
        .positive()
        .max(MAX_SCRIPT_MAX_LINE_BYTES)
        .default(DEFAULT_SCRIPT_MAX_LINE_BYTES)
        .describe('longest line the script may print'),
      syncerScriptMaxLines: z
        .number()
        .int()
        .positive()
        .max(MAX_SCRIPT_MAX_LINES)
        .default(DEFAULT_SCRIPT_MAX_LINES)
        .describe('most lines the script may print'),
    })
    .strict()
    .superRefine((r, ctx) => {
      const problem = pruneImagesProblem(r);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: problem.path, message: problem.message });
    })
    .transform((r): Omit<RegistryConfig, 'line' | 'sources'> => ({
      hostname: r.hostname,
      repository: r.repository,
      pullAuth: r.pullAuthConfig,
      pushAuth: r.pushAuthConfig,
      syncPeriod: r.syncPeriod,
      syncerScript: r.syncerScript?.path,
      ...(r.syncerScript ? { syncerScriptLookup: r.syncerScript } : {}),
      syncerScriptArgs: r.syncerScriptArgs,
      syncerScriptTimeoutSeconds: r.syncerScriptTimeoutSeconds,
      syncerScriptMaxLineBytes: r.syncerScriptMaxLineBytes,
      syncerScriptMaxLines: r.syncerScriptMaxLines,
      deleteLocalImages: r.deleteLocalImages,
      images: r.images,
      mirrors: r.mirrors,
      ...(r.pruneImages !== undefined && r.pruneImages !== false ? { pruneImages: compilePrunePolicy(r.pruneImages, true) } : {}),
      ...hostSettingsOf(r),
      concurrency: r.concurrency,
      referrers: r.referrers,
      cosignTags: r.cosignTags,
      ...(r.artifactTypes ? { artifactTypes: r.artifactTypes } : {}),
      retries: r.retries,
    }));
}

/** How to reach one source (pull) registry, keyed by its host in `sources:`. */
function sourceSchema(context: SchemaContext) {
  // auth sits between the TLS keys and pipelining, the later keys after them: the order the API has always shown them in.
  const { insecure, tlsVerify, caFile, pipelining, ...later } = hostSettingsShape(context);
  const shape = {
    insecure,
    tlsVerify,
    caFile,
    auth: authSetting.describe("user:pass or DockerConfigJSON, sent only to this host (instead of a registry's pullAuthConfig)"),
    pipelining,
    ...later,
  };
  // zod leaves absent optional keys out; a parsed entry has every key (caFile: undefined).
  return z
    .object(shape)
    .strict()
    .transform(
      (entry) => Object.fromEntries(Object.keys(shape).map((key) => [key, entry[key as keyof typeof entry]])) as unknown as SourceSettings,
    );
}

/** The whole file. `context` says what relative paths and bare script names are resolved against. */
export function configSchema(context: SchemaContext) {
  return z
    .object({
      registries: z.array(registrySchema(context)).min(1).describe('the target registries and what to mirror into each'),
      sources: z
        .record(sourceKey, sourceSchema(context))
        .default({})
        .transform((entries): SourceMap => new Map(Object.entries(entries)))
        .describe('TLS settings and auth per source registry host, or host/namespace (the longest key that covers a repository wins)'),
      targets: z
        .record(
          sourceKey,
          z
            .object({
              auth: authSetting.describe(
                "user:pass or DockerConfigJSON for pushes to the repositories under this key (instead of the registry entry's pushAuthConfig)",
              ),
            })
            .strict(),
        )
        .default({})
        .transform((entries): TargetAuthMap => new Map(Object.entries(entries).map(([key, { auth }]) => [key, { auth }])))
        .describe('push credentials per target host/namespace (or host), the longest key that covers a repository wins'),
      display: z
        .enum(['spinner', ''])
        .nullable()
        .default('')
        .transform((display) => (display === 'spinner' ? 'spinner' : 'plain'))
        .describe('"spinner": a live multi-line view; empty: one plain line per event'),
      api: z
        .object({
          enabled: z.boolean().default(false).describe('serve the HTTP API'),
          port: z.number().int().min(1).max(65535).default(8001).describe('the port it listens on'),
          enableAuth: z.boolean().default(false).describe('require Authorization: Bearer <authToken>'),
          authToken: z.string().default('').describe('the token enableAuth requires'),
          host: z
            .string()
            .default('127.0.0.1')
            .superRefine(checkedBy(listenHostProblem))
            .describe('the address it listens on: an IP address or a host name'),
          // Non-public networks distribute jobs may reach (the API must not be a request forger into them).
          distributeAllowedNetworks: z
            .array(z.string().superRefine(checkedBy(networkEntryProblem)))
            .default([...DEFAULT_ALLOWED_NETWORKS])
            .describe('the non-public networks distribute jobs may reach: CIDRs, addresses, loopback, private, link-local'),
        })
        .strict()
        .default({})
        .describe('the HTTP API of `sync`'),
      state: z
        .object({
          path: workingDirPath(context, './picture-book.db').describe('the SQLite history, relative to the working directory'),
          retentionDays: z
            .number()
            .int()
            .positive()
            .max(MAX_RETENTION_DAYS)
            .default(30)
            .describe('ended runs and jobs older than this are deleted'),
        })
        .strict()
        .default({})
        .describe('the run and job history of `sync`'),
      sync: z
        .object({
          runOnStart: z.boolean().default(true).describe("start each registry's first run at once"),
          gracePeriodSeconds: z
            .number()
            .min(0)
            .max(MAX_GRACE_PERIOD_SECONDS)
            .default(30)
            .describe('on SIGTERM/SIGINT, how long running copies may go on'),
          // Only a configured zone is checked: Intl's time-zone data costs every run ~8 MB and 0.1 s.
          timezone: z
            .string()
            .default('UTC')
            .superRefine(checkedBy(timeZoneProblem))
            .describe('IANA zone the syncPeriod patterns are read in'),
        })
        .strict()
        .default({})
        .describe('the schedule of `sync`'),
      concurrency: z
        .object({
          images: z.number().int().positive().max(MAX_CONCURRENCY).default(8).describe('images copied at once, shared by every registry'),
          blobs: z.number().int().positive().max(MAX_CONCURRENCY).default(16).describe('blobs copied at once, shared by every registry'),
        })
        .strict()
        .default({})
        .describe('how much is copied at once'),
      // How long a registry may take (README "Timeouts"); the defaults are the transport's.
      timeouts: z
        .object({
          connectSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).default(10).describe('TCP connect and TLS handshake'),
          responseSeconds: z
            .number()
            .positive()
            .max(MAX_TIMEOUT_SECONDS)
            .default(120)
            .describe("from a request sent to its answer's headers"),
          readSeconds: z
            .number()
            .positive()
            .max(MAX_TIMEOUT_SECONDS)
            .default(60)
            .describe('the whole body of a manifest, token reply, tag or catalog page'),
          blobMinBytes: z.number().int().min(0).max(MAX_BLOB_MIN_BYTES).default(65_536).describe('a blob moving fewer bytes than this ...'),
          blobIntervalSeconds: z
            .number()
            .positive()
            .max(MAX_TIMEOUT_SECONDS)
            .default(30)
            .describe('... in this many seconds is stalled (blobMinBytes 0: never)'),
        })
        .strict()
        .default({})
        .describe('how long a registry may take'),
      notifications: notificationsSchema,
      // Scale-out (README "Scale-out"): absent url, every copy runs in the `sync` process.
      queue: z
        .object({
          url: z
            .string()
            .superRefine(checkedBy(queueUrlProblem))
            .optional()
            .describe('redis://HOST:PORT of the Redis that `sync` and `picture-book worker` share (--queue overrides it)'),
          name: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only (at most 64)')
            .default('picture-book')
            .describe("the queue's name, the prefix of its Redis keys: deployments sharing one Redis use different names"),
          stalledSeconds: z
            .number()
            .positive()
            .max(MAX_STALLED_SECONDS)
            .default(30)
            .describe('a worker silent this long (killed, cut off) loses its copy job to another worker'),
        })
        .strict()
        .default({})
        .describe('copy jobs shared through Redis by `sync` and `picture-book worker` processes'),
    })
    .strict();
}

export type ConfigSchema = ReturnType<typeof configSchema>;

function timeZoneProblem(timezone: string): string | undefined {
  if (timezone === 'UTC') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return `unknown time zone "${timezone}"`;
  }
}

/** Keys that hold secrets: their values (and everything under them) are never quoted back in messages. */
export const SECRET_KEYS = new Set(['pullAuthConfig', 'pushAuthConfig', 'authToken', 'auth', 'proxy', 'url', 'secret', 'headers']);
