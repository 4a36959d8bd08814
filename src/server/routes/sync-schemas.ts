import { z } from 'zod';
import { apiTimeSchema, BODY_REFUSALS, errorResponses } from './api-responses.js';

export const OPS_ACTIONS = ['details', 'pause', 'resume', 'run', 'prune-confirm'] as const;
const SYNCHRONIZER_STATES = ['scheduled', 'unscheduled', 'running', 'paused', 'stopped'] as const;
const SYNC_REQUIRED = 'sync is required: the hostname of a configured registry';

export const listQuery = z.object({
  type: z
    .enum(['configured', 'active'], { errorMap: () => ({ message: 'type must be "configured" or "active"' }) })
    .describe('configured: the registries of the config file; active: their synchronizers'),
});

export const opsQuery = z.object({
  sync: z.string({ required_error: SYNC_REQUIRED }).min(1, SYNC_REQUIRED).describe('Hostname of a configured registry'),
  action: z.enum(OPS_ACTIONS, { errorMap: () => ({ message: `action must be one of: ${OPS_ACTIONS.join(', ')}` }) }),
});

/** One run of a synchronizer, as /list and details show it. */
export const runSchema = z
  .object({
    id: z.number().int(),
    trigger: z.enum(['schedule', 'start', 'manual']),
    startedAt: apiTimeSchema.nullable(),
    endedAt: apiTimeSchema.nullable().describe('null while the run goes on'),
    durationMs: z.number().nullable(),
    result: z.enum(['running', 'succeeded', 'failed', 'cancelled', 'interrupted']),
    copied: z.number().int(),
    upToDate: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int().describe('Images not copied because the run was paused or stopped'),
    skipped: z.number().int().describe('Images a platform filter that skips left out (missingPlatforms: skip); not failures'),
    pruned: z.number().int().describe('Target tags deleted by pruning (rules with prune:)'),
    bytes: z.number().int(),
    error: z.string().nullable().describe('Why the whole run failed, when it did'),
    referrers: z
      .object({ copied: z.number().int(), present: z.number().int(), failed: z.number().int() })
      .strict()
      .describe('Signatures, attestations and SBOMs that followed the images: copied, already at the target, found but not copied'),
  })
  .strict();

/** A synchronizer: live state plus its stored history. */
export const synchronizerSchema = z
  .object({
    hostname: z.string(),
    state: z.enum(SYNCHRONIZER_STATES),
    schedule: z.string().optional().describe('Cron expression (syncPeriod); absent when the registry has none'),
    timezone: z.string(),
    nextRun: apiTimeSchema.nullable(),
    runs: z.number().int(),
    skippedTicks: z.number().int().describe('Ticks that came while a run was still going'),
    lastRun: runSchema.nullable(),
  })
  .strict();

/** A configured registry, secrets redacted (`***`), as in the config file. */
const redactedRegistry = z.object({ hostname: z.string() }).passthrough();

const listAnswer = z
  .union([
    z
      .object({
        file: z.string(),
        registries: z.array(redactedRegistry),
        sources: z.record(z.unknown()).describe('sources: by host, auth redacted'),
        targets: z.record(z.unknown()).optional().describe('targets: push credentials by host or host/namespace, redacted'),
        notifications: z
          .object({ webhooks: z.array(z.record(z.unknown())) })
          .optional()
          .describe('notifications: each webhook by origin, its path, query, headers and secret redacted'),
      })
      .strict(),
    z.object({ synchronizers: z.array(synchronizerSchema) }).strict(),
  ])
  .describe('type=configured: {file, registries, sources, targets?, notifications?}; type=active: {synchronizers}');

const opsAnswer = z
  .union([
    z
      .object({
        registry: redactedRegistry.nullable(),
        synchronizer: synchronizerSchema,
        recentRuns: z.array(runSchema).describe('The last 10 runs, newest first'),
        recentPrunes: z
          .array(
            z
              .object({
                runId: z.number().nullable(),
                rule: z.string(),
                target: z.string(),
                digest: z.string(),
                reason: z.string(),
                prunedAt: apiTimeSchema.nullable(),
              })
              .strict(),
          )
          .describe('The last 50 target tags pruning deleted, newest first: run, rule, tag, digest, why and when'),
      })
      .strict(),
    z.object({ hostname: z.string(), state: z.enum(SYNCHRONIZER_STATES), cancelledRun: z.boolean() }).strict(),
    z.object({ hostname: z.string(), state: z.enum(SYNCHRONIZER_STATES), nextRun: apiTimeSchema.nullable() }).strict(),
  ])
  .describe(
    'details: {registry, synchronizer, recentRuns, recentPrunes}; pause: {hostname, state, cancelledRun}; resume: {hostname, state, nextRun}',
  );

export const listSchema = {
  summary: 'Configured registries (secrets redacted) or active synchronizers',
  querystring: listQuery,
  response: { 200: listAnswer, ...errorResponses({ 400: 'INVALID_QUERY: type is missing or not configured/active' }) },
};

const opsResponses = {
  200: opsAnswer,
  202: z
    .object({ hostname: z.string(), state: z.enum(SYNCHRONIZER_STATES) })
    .strict()
    .describe('run: a run was started; prune-confirm: a run was started whose prune guards are lifted'),
  ...errorResponses({
    400: 'INVALID_QUERY: sync or action missing or unknown',
    403: 'CROSS_ORIGIN: a change requested from another origin or site (Origin, Sec-Fetch-Site)',
    404: 'UNKNOWN_REGISTRY: no synchronizer for that hostname',
    405: 'METHOD_NOT_ALLOWED: pause, resume or run by HEAD, or by GET with auth off (Allow names the methods)',
    409: 'CONFLICT: run while a run is going (here or on another server sharing the queue), the synchronizer is paused, or the server is stopping',
  }),
};

export const opsGetSchema = {
  summary: 'Details of a synchronizer; pause, resume or run too, but only with auth on (else POST)',
  querystring: opsQuery,
  response: opsResponses,
};
export const opsPostSchema = {
  summary: 'Pause, resume or run a synchronizer (or its details)',
  querystring: opsQuery,
  response: { ...opsResponses, ...errorResponses(BODY_REFUSALS) },
};
