import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus.js';
import type { ZodTypeProvider } from '../openapi/zod-compilers.js';
import { errorResponses } from './api-responses.js';

const healthzSchema = {
  summary: 'Liveness (never needs the token)',
  security: [],
  response: {
    200: z
      .object({ status: z.literal('ok') })
      .strict()
      .describe('Alive'),
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

/** Liveness, metrics and the API description. */
export function serviceRoutes(app: FastifyInstance, context: ApiContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get('/healthz', { schema: healthzSchema }, async () => ({ status: 'ok' as const }));
  routes.get('/metrics', { schema: metricsSchema }, async (_request, reply) => {
    reply.header('content-type', PROMETHEUS_CONTENT_TYPE);
    return context.metrics.render();
  });
  routes.get('/openapi.json', { schema: openApiSchema }, async () => app.swagger() as { openapi: '3.1.0' });
}
