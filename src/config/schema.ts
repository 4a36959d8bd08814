import { z } from 'zod';
import type { SchemaContext } from './fields.js';
import { concurrencySchema, queueSchema, timeoutsSchema } from './copy-schemas.js';
import { sourcesSchema, targetsSchema } from './host-entries-schema.js';
import { notificationsSchema } from './notifications-schema.js';
import { registrySchema } from './registry-schema.js';
import { apiSchema, stateSchema, syncSchema } from './sync-schemas.js';

/**
 * The whole file. `context` says what relative paths and bare script names are resolved against.
 * Each section's keys, defaults and descriptions are in the file it is imported from; the README's
 * key tables are checked against them (readme-keys.test.ts).
 */
export function configSchema(context: SchemaContext) {
  return z
    .object({
      registries: z.array(registrySchema(context)).min(1).describe('the target registries and what to mirror into each'),
      sources: sourcesSchema(context),
      targets: targetsSchema,
      display: z
        .enum(['spinner', ''])
        .nullable()
        .default('')
        .transform((display) => (display === 'spinner' ? 'spinner' : 'plain'))
        .describe('"spinner": a live multi-line view; empty: one plain line per event'),
      api: apiSchema,
      state: stateSchema(context),
      sync: syncSchema,
      concurrency: concurrencySchema,
      timeouts: timeoutsSchema,
      notifications: notificationsSchema,
      queue: queueSchema,
    })
    .strict();
}

export type ConfigSchema = ReturnType<typeof configSchema>;

/** Keys that hold secrets: their values (and everything under them) are never quoted back in messages. */
export const SECRET_KEYS = new Set(['pullAuthConfig', 'pushAuthConfig', 'authToken', 'auth', 'proxy', 'url', 'secret', 'headers']);
