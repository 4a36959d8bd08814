import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { jobView } from '../distribute/job-view.js';
import { describeIssues, distributeRequestSchema } from '../distribute/request-schema.js';

/** The daemonless transfer service's job API: start a distribute job, then poll its state. */
export function distributeRoutes(app: FastifyInstance, context: ApiContext): void {
  app.post('/api/distribute/image', async (request, reply) => {
    if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
      throw new ApiError(400, 'INVALID_BODY', 'expected a JSON object body: {source: {endpoint, image, ref, auth?}, targets: [{endpoint, overwrite?, verify_tls?, auth?}]}');
    }
    const parsed = distributeRequestSchema.safeParse(request.body);
    if (!parsed.success) throw new ApiError(400, 'INVALID_BODY', describeIssues(parsed.error));
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
