import { z } from 'zod';
import { JOB_STATES, type JobState } from '../../store/index.js';
import { distributeRequestSchema } from '../distribute/request-schema.js';
import { apiTimeSchema, BODY_REFUSALS, errorResponses, pageLimitSchema } from './api-responses.js';

const jobState = (errorMap?: z.ZodErrorMap) => z.enum(JOB_STATES as [JobState, ...JobState[]], errorMap ? { errorMap } : {});

export const jobListQuery = z
  .object({
    limit: pageLimitSchema('Jobs'),
    before: z.string().min(1, 'is empty').optional().describe('Cursor: the `next` of the previous page (jobs created before this job id)'),
    state: jobState(() => ({ message: `must be one of: ${JOB_STATES.join(', ')}` }))
      .optional()
      .describe('Only jobs in this state'),
  })
  .strict();

/** A distribute job as the transfer service shows it. */
export const jobSchema = z
  .object({
    value: jobState(),
    started_at: apiTimeSchema.nullable(),
    finished_endpoints: z.array(z.string()),
    skipped_clusters: z.array(z.string()).describe('Targets that already had the image'),
    finished_at: apiTimeSchema.nullable(),
    errors: z.array(z.object({ endpoint: z.string(), code: z.string(), message: z.string() }).strict()),
  })
  .strict();

/** A job as listed: its id, when it was posted, what it copies (never its auth), and its state as in Job. */
export const jobListItemSchema = z
  .object({
    id: z.string(),
    created_at: apiTimeSchema.nullable(),
    source: z.object({ endpoint: z.string(), image: z.string(), ref: z.string() }).strict().nullable(),
    targets: z.array(z.string()).describe('Target endpoints'),
  })
  .strict()
  .merge(jobSchema);

export const submitSchema = {
  summary: 'Start a job copying one image to several registries',
  body: distributeRequestSchema,
  response: {
    201: z
      .object({ id: z.string(), msg: z.literal('Image sync started'), status: z.literal('success') })
      .strict()
      .describe('The job is queued'),
    ...errorResponses({
      400: 'INVALID_BODY: the body is not a valid request (each problem named); ADDRESS_REFUSED: an endpoint or token URL outside api.distributeAllowedNetworks; QUEUE_KEY_MISSING: auth in a request while jobs go through a queue without a key to seal it',
      403: 'CROSS_ORIGIN: a job requested from another origin or site (Origin, Sec-Fetch-Site)',
      ...BODY_REFUSALS,
    }),
  },
};

export const listJobsSchema = {
  summary: 'Distribute jobs, newest first, a page at a time',
  querystring: jobListQuery,
  response: {
    200: z
      .object({
        jobs: z.array(jobListItemSchema),
        next: z.string().nullable().describe('Pass as `before` for the next page; null on the last page'),
      })
      .strict()
      .describe('A page of jobs'),
    ...errorResponses({ 400: 'INVALID_QUERY: a bad limit, before or state, or no job `before` names' }),
  },
};

export const getJobSchema = {
  summary: 'State of a distribute job',
  params: z.object({ id: z.string().describe('The id the POST answered') }),
  response: { 200: jobSchema.describe('The job'), ...errorResponses({ 404: 'JOB_NOT_FOUND: no job with this id' }) },
};
