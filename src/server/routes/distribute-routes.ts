import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { JOB_STATES, type JobState } from '../../store/index.js';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { crossOriginProblem } from '../cross-origin.js';
import { addressPolicy } from '../distribute/address-policy.js';
import { requestAddressProblems } from '../distribute/request-addresses.js';
import { jobListItem, jobView } from '../distribute/job-view.js';
import { describeIssues, distributeRequestSchema } from '../distribute/request-schema.js';

export const MAX_PAGE = 100;

const listQuery = z.object({
  limit: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(MAX_PAGE, `must be at most ${MAX_PAGE}`).default(20),
  before: z.string().min(1, 'is empty').optional(),
  state: z.enum(JOB_STATES as [JobState, ...JobState[]], { errorMap: () => ({ message: `must be one of: ${JOB_STATES.join(', ')}` }) }).optional(),
}).strict();

/** The daemonless transfer service's job API: start a distribute job, poll its state, list jobs. */
export function distributeRoutes(app: FastifyInstance, context: ApiContext): void {
  app.post('/api/distribute/image', async (request, reply) => {
    const crossOrigin = crossOriginProblem(request);
    if (crossOrigin) throw new ApiError(403, 'CROSS_ORIGIN', crossOrigin);
    if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
      throw new ApiError(400, 'INVALID_BODY', 'expected a JSON object body: {source: {endpoint, image, ref, auth?}, targets: [{endpoint, overwrite?, verify_tls?, auth?}]}');
    }
    const parsed = distributeRequestSchema.safeParse(request.body);
    if (!parsed.success) throw new ApiError(400, 'INVALID_BODY', describeIssues(parsed.error));
    const refused = requestAddressProblems(parsed.data, addressPolicy(context.config().api.distributeAllowedNetworks));
    if (refused.length > 0) throw new ApiError(400, 'ADDRESS_REFUSED', refused.join('; '));
    const id = await context.jobs.submit(parsed.data);
    reply.code(201);
    return { id, msg: 'Image sync started', status: 'success' };
  });

  app.get('/api/distribute/image', async (request) => {
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success) throw new ApiError(400, 'INVALID_QUERY', describeIssues(parsed.error));
    const { limit, before, state } = parsed.data;
    const page = await context.store.listJobs({ limit, before, state });
    if (!page) throw new ApiError(400, 'INVALID_QUERY', `before: no distribute job ${before} to page from`);
    return { jobs: page.jobs.map(jobListItem), next: page.more ? (page.jobs.at(-1)?.id ?? null) : null };
  });

  app.get<{ Params: { id: string } }>('/api/distribute/image/:id', async (request) => {
    const job = await context.store.getJob(request.params.id);
    if (!job) throw new ApiError(404, 'JOB_NOT_FOUND', `no distribute job ${request.params.id}`);
    return jobView(job);
  });
}
