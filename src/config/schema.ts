import { z } from 'zod';
import { DEFAULT_ALLOWED_NETWORKS, networkEntryProblem } from './network-list.js';

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

/** One target registry, with the seed's keys and their seed meaning, plus documented additions. */
export const registrySchema = z
  .object({
    hostname: z.string(),
    repository: z.string().default(''),
    pullAuthConfig: z.string().default(''),
    pushAuthConfig: z.string().default(''),
    syncPeriod: z.string().optional(),
    syncerScript: z.string().optional(),
    syncerScriptArgs: z.string().default(''),
    deleteLocalImages: z.boolean().default(false),
    // Additions:
    images: z.array(z.string()).default([]),
    insecure: z.boolean().default(false),
    tlsVerify: z.boolean().default(true),
    caFile: z.string().optional(),
    pipelining: z.boolean().default(true),
    concurrency: z.number().int().positive().max(MAX_CONCURRENCY).optional(),
    syncerScriptTimeoutSeconds: z.number().positive().max(MAX_SCRIPT_TIMEOUT_SECONDS).default(120),
    syncerScriptMaxLineBytes: z.number().int().positive().max(MAX_SCRIPT_MAX_LINE_BYTES).default(DEFAULT_SCRIPT_MAX_LINE_BYTES),
    syncerScriptMaxLines: z.number().int().positive().max(MAX_SCRIPT_MAX_LINES).default(DEFAULT_SCRIPT_MAX_LINES),
  })
  .strict();

/** How to reach one source (pull) registry, keyed by its host in `sources:`. */
export const sourceSchema = z
  .object({
    insecure: z.boolean().default(false),
    tlsVerify: z.boolean().default(true),
    caFile: z.string().optional(),
    pipelining: z.boolean().default(true),
    /** user:pass or DockerConfigJSON, sent only to this host (instead of a registry's pullAuthConfig). */
    auth: z.string().default(''),
  })
  .strict();

export const configSchema = z
  .object({
    registries: z.array(registrySchema).min(1),
    sources: z.record(z.string(), sourceSchema).default({}),
    display: z.enum(['spinner', '']).nullable().default(''),
    api: z
      .object({
        enabled: z.boolean().default(false),
        port: z.number().int().min(1).max(65535).default(8001),
        enableAuth: z.boolean().default(false),
        authToken: z.string().default(''),
        host: z.string().default('127.0.0.1'),
        // Non-public networks distribute jobs may reach (the API must not be a request forger into them).
        distributeAllowedNetworks: z
          .array(z.string().superRefine((entry, ctx) => {
            const problem = networkEntryProblem(entry);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }))
          .default([...DEFAULT_ALLOWED_NETWORKS]),
      })
      .strict()
      .default({}),
    state: z
      .object({ path: z.string().default('./picture-book.db'), retentionDays: z.number().int().positive().max(MAX_RETENTION_DAYS).default(30) })
      .strict()
      .default({}),
    sync: z
      .object({
        runOnStart: z.boolean().default(true),
        gracePeriodSeconds: z.number().min(0).max(MAX_GRACE_PERIOD_SECONDS).default(30),
        timezone: z.string().default('UTC'),
      })
      .strict()
      .default({}),
    concurrency: z
      .object({ images: z.number().int().positive().max(MAX_CONCURRENCY).default(8), blobs: z.number().int().positive().max(MAX_CONCURRENCY).default(16) })
      .strict()
      .default({}),
    // How long a registry may take (README "Timeouts"); the defaults are the transport's.
    timeouts: z
      .object({
        connectSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).default(10),
        responseSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).default(120),
        readSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).default(60),
        blobMinBytes: z.number().int().min(0).max(MAX_BLOB_MIN_BYTES).default(65_536),
        blobIntervalSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).default(30),
      })
      .strict()
      .default({}),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;
export type RawRegistry = z.infer<typeof registrySchema>;

/** Keys that hold secrets: their values are never quoted back in messages. */
export const SECRET_KEYS = new Set(['pullAuthConfig', 'pushAuthConfig', 'authToken', 'auth']);
