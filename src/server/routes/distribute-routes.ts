import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { crossOriginProblem } from '../cross-origin.js';
import { addressPolicy } from '../distribute/address-policy.js';
import { requestAddressProblems } from '../distribute/request-addresses.js';
import { jobListItem, jobView } from '../distribute/job-view.js';
import type { ZodTypeProvider } from '../openapi/zod-compilers.js';
import { getJobSchema, listJobsSchema, submitSchema } from './distribute-schemas.js';

/** Before the body is checked: a cross-origin request is refused whatever it carries; a body must be an object. */
async function refuseBeforeValidation(request: FastifyRequest): Promise<void> {
  const crossOrigin = crossOriginProblem(request);
  if (crossOrigin) throw new ApiError(403, 'CROSS_ORIGIN', crossOrigin);
  if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
    const expected =
      'expected a JSON object body: {source: {endpoint, image, ref, auth?}, targets: [{endpoint, overwrite?, verify_tls?, auth?}]}';
    throw new ApiError(400, 'INVALID_BODY', request.body === undefined ? `the body is missing: ${expected}` : expected);
  }
}

/** The daemonless transfer service's job API: start a distribute job, poll its state, list jobs. */
export function distributeRoutes(app: FastifyInstance, context: ApiContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.post('/api/distribute/image', { schema: submitSchema, preValidation: refuseBeforeValidation }, async (request, reply) => {
    const refused = requestAddressProblems(request.body, addressPolicy(context.config().api.distributeAllowedNetworks));
    if (refused.length > 0) throw new ApiError(400, 'ADDRESS_REFUSED', refused.join('; '));
    const id = await context.jobs.submit(request.body);
    reply.code(201);
    return { id, msg: 'Image sync started' as const, status: 'success' as const };
  });

  routes.get('/api/distribute/image', { schema: listJobsSchema }, async (request) => {
    const { limit, before, state } = request.query;
    const page = await context.store.listJobs({ limit, before, state });
    if (!page) throw new ApiError(400, 'INVALID_QUERY', `before: no distribute job ${before} to page from`);
    return { jobs: page.jobs.map(jobListItem), next: page.more ? (page.jobs.at(-1)?.id ?? null) : null };
  });

  routes.get('/api/distribute/image/:id', { schema: getJobSchema }, async (request) => {
    const job = await context.store.getJob(request.params.id);
    if (!job) throw new ApiError(404, 'JOB_NOT_FOUND', `no distribute job ${request.params.id}`);
    return jobView(job);
  });
}
