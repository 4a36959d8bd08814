import { z } from 'zod';
import { checkedBy, registryHostKey } from './fields.js';
import { queueUrlProblem } from './queue-url.js';
import { MAX_BLOB_MIN_BYTES, MAX_CONCURRENCY, MAX_STALLED_SECONDS, MAX_TIMEOUT_SECONDS } from './schema-limits.js';

// The sections that say how copies run: how many at once, how long a registry may take, where the copy jobs queue.

/** `concurrency:`. */
export const concurrencySchema = z
  .object({
    images: z.number().int().positive().max(MAX_CONCURRENCY).default(8).describe('images copied at once, shared by every registry'),
    blobs: z.number().int().positive().max(MAX_CONCURRENCY).default(16).describe('blobs copied at once, shared by every registry'),
  })
  .strict()
  .default({})
  .describe('how much is copied at once');

/** `timeouts:`: how long a registry may take (README "Timeouts"); the defaults are the transport's. */
export const timeoutsSchema = z
  .object({
    connectSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).default(10).describe('TCP connect and TLS handshake'),
    responseSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).default(120).describe("from a request sent to its answer's headers"),
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
  .describe('how long a registry may take');

/** `queue:`, for scale-out (README "Scale-out"): absent url, every copy runs in the `sync` process. */
export const queueSchema = z
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
    prefetch: z
      .number()
      .int()
      .min(0)
      .max(MAX_CONCURRENCY)
      .optional()
      .describe(
        "a worker's copy jobs taken ahead of a free slot, each started the moment a copy ends (default: one per copy slot; 0: none)",
      ),
    sourceCopies: z
      .record(registryHostKey, z.number().int().positive().max(MAX_CONCURRENCY))
      .optional()
      .describe('per source host (docker.io, host:port): copies reading from it at once, across every worker'),
    keyFile: z
      .string()
      .min(1, 'is empty')
      .optional()
      .describe(
        'file with the key (at least 32 characters) that seals the credentials of distribute jobs; `sync` and every worker hold the same',
      ),
  })
  .strict()
  .default({})
  .describe('copy jobs shared through Redis by `sync` and `picture-book worker` processes');
