import { z } from 'zod';
import { apiTimeSchema, errorResponses, pageLimitSchema } from '../routes/api-responses.js';
import { runSchema, synchronizerSchema } from '../routes/sync-schemas.js';
import { LIVE_PHASES } from './live-run.js';

const count = z.number().int();

const liveImageSchema = z
  .object({
    source: z.string(),
    target: z.string(),
    phase: z.enum(LIVE_PHASES),
    startedAt: apiTimeSchema,
    bytesTotal: count.describe('Bytes of its blobs known so far (grows as its manifests are read)'),
    bytesDone: count.describe('Of those, bytes already at the target'),
  })
  .strict();

const failureSchema = z.object({ source: z.string(), target: z.string(), code: z.string(), message: z.string() }).strict();

/** A run as it goes (or the registry's last run since the server started), from the engine's events. */
export const liveRunSchema = z
  .object({
    registry: z.string(),
    runId: count.nullable(),
    trigger: z.enum(['schedule', 'start', 'manual']),
    phase: z
      .enum(LIVE_PHASES)
      .describe('listing: reading the image list; checking: comparing images with the target; copying: an image is being copied; done'),
    result: z.enum(['succeeded', 'failed', 'cancelled']).nullable().describe('null while the run goes on'),
    startedAt: apiTimeSchema,
    endedAt: apiTimeSchema.nullable(),
    listed: count.nullable().describe('Images to go through; null until the list is read'),
    done: count,
    copied: count,
    upToDate: count,
    failed: count,
    cancelled: count,
    skipped: count.describe('Left out by a platform filter that skips (missingPlatforms: skip)'),
    bytes: count,
    bytesPerSecond: z.number().describe('Over the last 5 seconds while it runs; over the whole run once ended'),
    retries: count,
    error: z.string().nullable().describe('Why the image list could not be read, when it could not'),
    inFlight: count.describe('Images being copied (their check done, their blobs moving)'),
    images: z.array(liveImageSchema).describe('The first 10 images in flight, oldest first'),
    failures: z.array(failureSchema).describe('The latest 5 failures'),
  })
  .strict();

/** A registry's row: its synchronizer, the warnings the dashboard shows, its live run. */
export const dashboardRowSchema = synchronizerSchema
  .extend({
    expectedTick: apiTimeSchema.nullable().describe('When the schedule owes its next tick, from its last tick (null unless scheduled)'),
    overdue: z.boolean().describe('The expected tick is over a minute late and no run is going'),
    failedStreak: count.describe('How many of the newest runs failed in a row (of the last 10)'),
    live: liveRunSchema.nullable(),
  })
  .strict();

/** A run of the history, with its registry and throughput. */
export const historyRunSchema = runSchema
  .extend({
    registry: z.string(),
    bytesPerSecond: z.number().nullable().describe('Bytes copied per second of the run; null while it runs'),
  })
  .strict();

const imageOutcomeSchema = z
  .object({
    source: z.string(),
    target: z.string(),
    status: z.enum(['copied', 'up-to-date', 'skipped', 'failed', 'cancelled', 'would-copy']),
    digest: z.string().nullable(),
    bytes: count,
    error: z.object({ code: z.string(), message: z.string() }).strict().nullable(),
    note: z
      .string()
      .nullable()
      .describe('Why it was skipped (`no image for linux/s390x (the index has ...)`), or what a platform filter wrote'),
  })
  .strict();

const runPruneSchema = z
  .object({
    rule: z.string().describe('The rule that owned the tag: `mirrors[0]`, or `images` for the list'),
    target: z.string().describe('The target tag, `host/repo:tag`'),
    digest: z.string().describe('What picture-book had written there'),
    outcome: z
      .enum(['deleted', 'kept', 'failed'])
      .describe(
        'deleted: the tag (and what refers to it) left the target; kept: it stays this run (see reason); failed: deleting it failed',
      ),
    reason: z
      .string()
      .describe(
        'Why it went (`gone from the source`, `dropped by exclude`), why it stays (`...; held by the guard (...)`, a shared digest, a source not listed completely), or the error',
      ),
    at: apiTimeSchema,
  })
  .strict();

export const overviewSchema = {
  summary: 'Every registry for the dashboard: state, schedule, last run, warnings, live run',
  response: {
    200: z
      .object({ time: apiTimeSchema, registries: z.array(dashboardRowSchema) })
      .strict()
      .describe('The overview'),
    ...errorResponses({}),
  },
};

export const runPageQuery = z
  .object({
    registry: z.string().min(1, 'is empty').optional().describe('One registry (its hostname); all when absent'),
    limit: pageLimitSchema('Runs'),
    before: z.coerce
      .number({ invalid_type_error: 'must be a run id' })
      .int('must be a run id')
      .min(1, 'must be a run id')
      .optional()
      .describe('Cursor: the `next` of the previous page'),
    failed: z
      .enum(['true', 'false'], { errorMap: () => ({ message: 'must be true or false' }) })
      .optional()
      .describe('true: only runs that failed, were interrupted or have failed images'),
  })
  .strict();

export const runPageSchema = {
  summary: 'Run history, newest first, a page at a time',
  querystring: runPageQuery,
  response: {
    200: z
      .object({
        runs: z.array(historyRunSchema),
        next: count.nullable().describe('Pass as `before` for the next page; null on the last page'),
      })
      .strict()
      .describe('A page of runs'),
    ...errorResponses({ 400: 'INVALID_QUERY: a bad limit, before or failed, or no run `before` names' }),
  },
};

export const runDetailSchema = {
  summary: 'One run with the outcome of each image (and its live state while it goes on)',
  params: z.object({
    id: z.coerce
      .number({ invalid_type_error: 'must be a run id' })
      .int('must be a run id')
      .min(1, 'must be a run id')
      .describe('The run id'),
  }),
  response: {
    200: z
      .object({
        run: historyRunSchema,
        images: z.array(imageOutcomeSchema).describe('Written when the run ends'),
        prunes: z
          .array(runPruneSchema)
          .describe("Owned target tags the run's pruning deleted, held back or failed to delete, oldest first"),
        live: liveRunSchema.nullable(),
      })
      .strict()
      .describe('The run'),
    ...errorResponses({ 400: 'INVALID_QUERY: the id is not a run id', 404: 'RUN_NOT_FOUND: no run with this id (pruned, or never)' }),
  },
};

export const liveStreamSchema = {
  summary: 'The live runs as server-sent events (text/event-stream)',
  description:
    'Each message is `event: live` with `data:` a JSON object `{time, runs: [LiveRun], changed: {overview, registries, jobs}}`: sent at once, then every half second while something changed or a run goes on. `changed` says which views to fetch again. A comment line every 15 s keeps the connection open. The stream ends when the token it was opened with is no longer valid. EventSource cannot send the token: read it with fetch() and the Authorization header.',
  produces: ['text/event-stream'],
  response: { 200: z.string().describe('The event stream'), ...errorResponses({}) },
};
