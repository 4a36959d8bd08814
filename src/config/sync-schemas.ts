import { z } from 'zod';
import { checkedBy, workingDirPath, type SchemaContext } from './fields.js';
import { listenHostProblem } from './listen-host.js';
import { DEFAULT_ALLOWED_NETWORKS, networkEntryProblem } from './network-list.js';
import { MAX_GRACE_PERIOD_SECONDS, MAX_RETENTION_DAYS } from './schema-limits.js';

// The sections only `picture-book sync` reads: its HTTP API, its history, its schedule.

/** `api:`. */
export const apiSchema = z
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
  .describe('the HTTP API of `sync`');

/** `state:`; its path is resolved against the working directory. */
export function stateSchema(context: SchemaContext) {
  return z
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
    .describe('the run and job history of `sync`');
}

/** `sync:`. */
export const syncSchema = z
  .object({
    runOnStart: z.boolean().default(true).describe("start each registry's first run at once"),
    gracePeriodSeconds: z
      .number()
      .min(0)
      .max(MAX_GRACE_PERIOD_SECONDS)
      .default(30)
      .describe('on SIGTERM/SIGINT, how long running copies may go on'),
    // Only a configured zone is checked: Intl's time-zone data costs every run ~8 MB and 0.1 s.
    timezone: z.string().default('UTC').superRefine(checkedBy(timeZoneProblem)).describe('IANA zone the syncPeriod patterns are read in'),
  })
  .strict()
  .default({})
  .describe('the schedule of `sync`');

function timeZoneProblem(timezone: string): string | undefined {
  if (timezone === 'UTC') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return `unknown time zone "${timezone}"`;
  }
}
