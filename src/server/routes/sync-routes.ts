import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { requestRun } from '../../scheduler/index.js';
import { ApiError } from '../api-error.js';
import { crossOriginProblem } from '../cross-origin.js';
import type { ApiContext } from '../api-context.js';
import { apiTime } from '../distribute/job-view.js';
import { describeIssues } from '../distribute/request-schema.js';
import { type ZodTypeProvider, zodValidatorCompiler } from '../openapi/zod-compilers.js';
import { configuredView, redactedRegistries, runView, synchronizerView } from '../synchronizer-view.js';
import { listSchema, opsGetSchema, opsPostSchema, type opsQuery } from './sync-schemas.js';

const RECENT_RUNS = 10;
const RECENT_PRUNES = 50;

/** The seed's messages already name their field ("type must be ..."): the first is not prefixed again. */
const queryValidator = zodValidatorCompiler((error) => describeIssues(error).replace(/^(type|sync|action): /, ''));

/**
 * pause, resume and run change state: never by HEAD; by GET only with auth on (a browser cannot
 * add the token to a request another site makes it send); never from another origin.
 */
function refuseUnsafeChange(request: FastifyRequest, action: string, authEnabled: boolean): void {
  const allow = authEnabled ? 'GET, POST' : 'POST';
  if (request.method === 'HEAD')
    throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HEAD never changes anything: use POST for action=${action}`, { allow });
  if (request.method === 'GET' && !authEnabled) {
    throw new ApiError(405, 'METHOD_NOT_ALLOWED', `use POST for action=${action} (GET may change state only when api.enableAuth is on)`, {
      allow,
    });
  }
  const problem = crossOriginProblem(request);
  if (problem) throw new ApiError(403, 'CROSS_ORIGIN', problem);
}

/** `/ops?sync=HOST&action=...`, by GET or POST. */
async function ops(context: ApiContext, request: FastifyRequest, reply: FastifyReply, query: z.output<typeof opsQuery>) {
  const { sync: hostname, action } = query;
  if (action !== 'details') refuseUnsafeChange(request, action, context.config().api.enableAuth);
  const sync = context.scheduler.get(hostname);
  if (!sync) {
    const known =
      context.scheduler
        .list()
        .map((s) => s.hostname)
        .join(', ') || 'none';
    throw new ApiError(404, 'UNKNOWN_REGISTRY', `no synchronizer for "${hostname}" (configured: ${known})`);
  }
  switch (action) {
    case 'details': {
      const registry = redactedRegistries(context.config()).find((r) => r.hostname === hostname) ?? null;
      const recentRuns = (await context.store.listRuns(hostname, RECENT_RUNS)).map(runView);
      const pruned = (await context.store.ownership?.prunedTags({ registry: hostname, limit: RECENT_PRUNES })) ?? [];
      const recentPrunes = pruned.map(({ runId, rule, target, digest, reason, prunedAt }) => ({
        runId,
        rule,
        target,
        digest,
        reason,
        prunedAt: apiTime(prunedAt),
      }));
      return { registry, synchronizer: await synchronizerView(sync, context.store), recentRuns, recentPrunes };
    }
    case 'pause': {
      const wasRunning = sync.state === 'running';
      await sync.pause();
      return { hostname, state: sync.state, cancelledRun: wasRunning };
    }
    case 'resume': {
      const next = await sync.resume();
      return { hostname, state: sync.state, nextRun: apiTime(next?.getTime() ?? null) };
    }
    case 'run':
    case 'prune-confirm': {
      const started = await requestRun(sync, { pruneConfirm: action === 'prune-confirm' });
      if (!started.started) {
        const why = {
          running: 'a run is already going',
          elsewhere: 'a run is already going on another server sharing the queue; nothing was started here',
          paused: 'the synchronizer is paused; resume it first',
          stopped: 'the server is stopping',
        }[started.reason];
        throw new ApiError(409, 'CONFLICT', `${hostname}: ${why}`);
      }
      reply.code(202);
      return { hostname, state: sync.state };
    }
  }
}

/** The seed README's endpoints: `/list?type=configured|active` and `/ops?sync=HOST&action=...`. */
export function syncRoutes(app: FastifyInstance, context: ApiContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get('/list', { schema: listSchema, validatorCompiler: queryValidator }, async (request) => {
    const { type } = request.query;
    if (type === 'configured') return configuredView(context.config());
    return { synchronizers: await Promise.all(context.scheduler.list().map((s) => synchronizerView(s, context.store))) };
  });
  routes.get('/ops', { schema: opsGetSchema, validatorCompiler: queryValidator }, (request, reply) =>
    ops(context, request, reply, request.query),
  );
  routes.post('/ops', { schema: opsPostSchema, validatorCompiler: queryValidator }, (request, reply) =>
    ops(context, request, reply, request.query),
  );
}
