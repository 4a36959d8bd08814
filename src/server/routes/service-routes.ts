import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus.js';
import { openApiDocument } from '../openapi.js';

/** Liveness, metrics and the API description. */
export function serviceRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', PROMETHEUS_CONTENT_TYPE);
    return context.metrics.render();
  });
  app.get('/openapi.json', async () => openApiDocument);
}
