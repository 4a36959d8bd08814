import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { crossOriginProblem } from '../cross-origin.js';
import { addressPolicy } from '../distribute/address-policy.js';
import { requestAddressProblems } from '../distribute/request-addresses.js';
import { jobView } from '../distribute/job-view.js';
import { describeIssues, distributeRequestSchema } from '../distribute/request-schema.js';

/** The daemonless transfer service's job API: start a distribute job, then poll its state. */
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

  app.get<{ Params: { id: string } }>('/api/distribute/image/:id', async (request) => {
    const job = await context.store.getJob(request.params.id);
    if (!job) throw new ApiError(404, 'JOB_NOT_FOUND', `no distribute job ${request.params.id}`);
    return jobView(job);
  });
}
