import { z } from 'zod';
import { NOTIFICATION_EVENTS } from '../../config/notifications-schema.js';

/** Failed images a run-failed or run-finished body lists at most (the run's history has them all). */
export const MAX_LISTED_IMAGES = 20;

const imageFailure = z.object({
  source: z.string().describe('The source reference'),
  target: z.string().describe('The target reference'),
  code: z.string().describe('The error code, as in the run history (e.g. IMAGE_NOT_FOUND)'),
  message: z.string().describe('What went wrong, secrets masked'),
});

/**
 * The JSON body of every webhook delivery (README "Notifications", `/openapi.json` webhooks). One
 * shape for every event: `event` says which, and which of `run`, `image`, `schedule`, `quota` is set.
 */
export const notificationSchema = z
  .object({
    event: z.enum(NOTIFICATION_EVENTS).describe('What happened'),
    id: z.string().describe('This notification: the same in every attempt to deliver it (X-Picture-Book-Delivery)'),
    time: z.string().describe('When it happened (ISO 8601)'),
    registry: z.string().describe('The configured target registry (`hostname`), or for quota-paused the source host'),
    message: z.string().describe('One line for a person: what happened, in the words of the server log'),
    run: z
      .object({
        id: z.number().int().nullable().describe('The run in the history (`/api/synchronizers/{hostname}/runs/{id}`), null if unrecorded'),
        trigger: z.enum(['schedule', 'start', 'manual']),
        result: z.enum(['succeeded', 'failed', 'cancelled']),
        durationMs: z.number(),
        copied: z.number().int(),
        upToDate: z.number().int(),
        failed: z.number().int(),
        cancelled: z.number().int(),
        skipped: z.number().int().describe('Images a platform filter that skips left out (not failures)'),
        bytes: z.number(),
        error: z.string().nullable().describe("The run's own failure (its script, its image list), beside failed images"),
        failedImages: z.array(imageFailure).describe(`The run's failed images, at most ${MAX_LISTED_IMAGES}`),
        previousResult: z
          .enum(['succeeded', 'failed', 'cancelled'])
          .nullable()
          .describe("The registry's run before this one in this process (null for the first)"),
      })
      .optional()
      .describe('run-finished, run-failed, run-recovered'),
    image: imageFailure.optional().describe('image-failed'),
    schedule: z
      .object({
        pattern: z.string().nullable().describe('The syncPeriod'),
        reason: z
          .enum(['run-still-going', 'overdue'])
          .describe('run-still-going: a tick came while the previous run went on; overdue: an expected tick did not come'),
        skippedTicks: z.number().int().nullable().describe('Ticks skipped so far while the run went on (run-still-going)'),
        expectedTick: z.string().nullable().describe('When the tick that did not come was due (overdue)'),
      })
      .optional()
      .describe('schedule-missed'),
    quota: z
      .object({
        host: z.string(),
        remaining: z.number().int(),
        limit: z.number().int().nullable(),
        windowSeconds: z.number().int().nullable(),
        reserve: z.number().int().describe('quotaReserve: manifest GETs to the host wait until the quota allows again'),
      })
      .optional()
      .describe('quota-paused'),
    prune: z
      .object({
        deleted: z.number().int().describe('Target tags the run deleted'),
        failed: z.number().int().describe('Target tags it tried to delete and could not'),
        tags: z
          .array(
            z.object({
              rule: z.string().describe('The rule that owned the tag (`mirrors[0]`)'),
              target: z.string().describe('The target tag'),
              digest: z.string(),
              action: z.enum(['deleted', 'failed']),
              reason: z.string().describe('Why it went (gone from the source), or why the delete failed'),
            }),
          )
          .describe(`The tags, at most ${MAX_LISTED_IMAGES} (the run's history has them all)`),
      })
      .optional()
      .describe('prune-done'),
  })
  .strict();

export type Notification = z.infer<typeof notificationSchema>;
