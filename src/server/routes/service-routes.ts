import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus.js';
import type { ZodTypeProvider } from '../openapi/zod-compilers.js';
import { errorResponses } from './api-responses.js';

const healthzSchema = {
  summary:
    "Readiness (never needs the token): with a queue, 503 while its Redis cannot be reached, or once another process took this server's name in it",
  security: [],
  response: {
    200: z
      .object({ status: z.literal('ok'), queue: z.literal('reachable').optional() })
      .strict()
      .describe('Alive (and the queue reachable, when one is configured)'),
    503: z
      .object({ status: z.literal('unavailable'), queue: z.literal('unreachable').optional(), serverName: z.literal('lost').optional() })
      .strict()
      .describe(
        "The queue's Redis cannot be reached (`queue`: runs wait for it), or another process took this server's name in the queue (`serverName`: see the log's `server-name-lost`; a restart decides)",
      ),
  },
};
const livezSchema = {
  summary: 'Liveness (never needs the token): 200 while the process serves requests, Redis or not',
  security: [],
  response: {
    200: z
      .object({ status: z.literal('ok') })
      .strict()
      .describe('The process serves requests'),
  },
};
const metricsSchema = {
  summary: 'Prometheus metrics',
  produces: ['text/plain'],
  response: { 200: z.string().describe('Text exposition format 0.0.4'), ...errorResponses({}) },
};
const openApiSchema = {
  summary: 'This document',
  response: {
    200: z
      .object({ openapi: z.literal('3.1.0') })
      .passthrough()
      .describe('The OpenAPI 3.1 description of the API'),
    ...errorResponses({}),
  },
};

/**
 * Readiness (/healthz), liveness (/livez), metrics and the API description. /healthz says whether the
 * server can work (503 while the queue's Redis is down: a load balancer should wait; or once another
 * process took its name in the queue: it needs someone to act); /livez only that
 * the process answers, so a liveness probe does not restart a server that is merely waiting for Redis.
 */
export function serviceRoutes(app: FastifyInstance, context: ApiContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get('/healthz', { schema: healthzSchema }, async (_request, reply) => {
    const reachable = context.queueReachable?.();
    const lost = context.serverNameLost?.() === true;
    if (reachable === false || lost)
      return reply.code(503).send({
        status: 'unavailable' as const,
        ...(reachable === false ? { queue: 'unreachable' as const } : {}),
        ...(lost ? { serverName: 'lost' as const } : {}),
      });
    return reachable === undefined ? { status: 'ok' as const } : { status: 'ok' as const, queue: 'reachable' as const };
  });
  routes.get('/livez', { schema: livezSchema }, async () => ({ status: 'ok' as const }));
  routes.get('/metrics', { schema: metricsSchema }, async (_request, reply) => {
    reply.header('content-type', PROMETHEUS_CONTENT_TYPE);
    return context.metrics.render();
  });
  routes.get('/openapi.json', { schema: openApiSchema }, async () => app.swagger() as { openapi: '3.1.0' });
}
