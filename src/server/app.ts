import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { processScrubber } from '../errors/secret-scrubber.js';
import { ApiError, errorBody } from './api-error.js';
import type { ApiContext } from './api-context.js';
import { bearerAuth, isPublicPath } from './bearer-auth.js';
import { dashboardRoutes } from './dashboard/dashboard-routes.js';
import { drainRequest } from './drain-request.js';
import { liveStreamRoute } from './dashboard/live-stream.js';
import { uiRoutes } from './dashboard/ui-routes.js';
import { parseJsonBody } from './json-body.js';
import { registerApiDocument } from './openapi/api-document.js';
import { jsonSerializerCompiler, zodValidatorCompiler } from './openapi/zod-compilers.js';
import { distributeRoutes } from './routes/distribute-routes.js';
import { serviceRoutes } from './routes/service-routes.js';
import { syncRoutes } from './routes/sync-routes.js';

const BODY_LIMIT = 1024 * 1024;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'the request headers are too large (at most 16 KiB)'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time'],
};

/** Requests Node's HTTP parser refuses before Fastify sees them: answered in the API's error shape too. */
function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Fastify's own client errors get a stable code in our error shape. */
function clientErrorCode(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'BODY_TOO_LARGE';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'UNSUPPORTED_MEDIA_TYPE';
  return 'INVALID_BODY';
}

/**
 * The sync server's HTTP API. JSON everywhere, errors as `{error: {code, message}}`; with
 * `api.enableAuth` every route but /healthz, /livez and the dashboard's page (/ui/) needs the bearer token. Fastify logs nothing: each
 * request becomes an `api-request` event (method, route, status; never headers or the query).
 * Routes are added when the app gets ready (`ready()`, `listen()`, `inject()`); their zod schemas
 * validate requests and describe the API at /openapi.json.
 */
export function buildApp(context: ApiContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, clientErrorHandler });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(String(body)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook(
    'onRequest',
    bearerAuth(() => ({ enabled: context.config().api.enableAuth, token: context.config().api.authToken })),
  );
  app.addHook('onRequest', async (request, reply) => {
    if (!context.starting?.() || isPublicPath(request.url.split('?')[0] ?? '')) return;
    await reply
      .code(503)
      .header('retry-after', '1')
      .send(errorBody('STARTING', 'the server is starting (recovering jobs, scheduling); try again in a moment'));
  });
  app.addHook('onResponse', async (request, reply) => {
    context.emit({
      type: 'api-request',
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      path: request.url.split('?')[0] ?? '',
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime),
      time: Date.now(),
    });
  });

  // Last line of defence: a registry's error body can echo credentials into a job's or run's error.
  const scrubber = context.scrubber ?? processScrubber;
  app.addHook('onSend', async (_request, _reply, payload) => (typeof payload === 'string' ? scrubber.scrub(payload) : payload));

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).headers(error.headers).send(errorBody(error.code, error.message));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = clientErrorCode(error);
      // Answered once the client has sent its body, or it fails to send and never reads the answer.
      if (code === 'BODY_TOO_LARGE') {
        await drainRequest(request.raw);
        // Fastify closes the connection after a body it did not read; all of it read, it can be kept.
        if (request.raw.complete) reply.removeHeader('connection');
      }
      // Fastify's own words ("Request body is too large") do not say what the limit is.
      const message = code === 'BODY_TOO_LARGE' ? `the request body is too large (at most ${BODY_LIMIT / 1024 / 1024} MiB)` : error.message;
      return reply.code(status).send(errorBody(code, message));
    }
    context.emit({ type: 'server-warning', message: `API error: ${error.message}`, time: Date.now() });
    return reply.code(500).send(errorBody('INTERNAL', 'internal error; see the server log'));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- fastify's types say never null; it is null for no route
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length === 0) return reply.code(404).send(errorBody('NOT_FOUND', `no endpoint ${request.method} ${path}`));
    return reply
      .code(405)
      .header('allow', allowed.join(', '))
      .send(errorBody('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`));
  });

  app.setValidatorCompiler(zodValidatorCompiler());
  app.setSerializerCompiler(jsonSerializerCompiler);
  registerApiDocument(app);
  // Plugins load in order at ready(): the routes come after the document, which learns them as they are added.
  void app.register(async (scope) => {
    serviceRoutes(scope, context);
    syncRoutes(scope, context);
    distributeRoutes(scope, context);
    dashboardRoutes(scope, context);
    liveStreamRoute(scope, context);
    uiRoutes(scope, context);
  });
  return app;
}
