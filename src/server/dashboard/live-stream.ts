import type { FastifyInstance } from 'fastify';
import { processScrubber } from '../../errors/secret-scrubber.js';
import type { ApiContext } from '../api-context.js';
import { presentedToken, tokenMatches } from '../bearer-auth.js';
import { apiTime } from '../distribute/job-view.js';
import type { ZodTypeProvider } from '../openapi/zod-compilers.js';
import { liveStreamSchema } from './dashboard-schemas.js';
import { liveRunView } from './dashboard-views.js';
import type { FeedMessage } from './live-feed.js';

const KEEP_ALIVE_MS = 15_000;

function eventText(message: FeedMessage): string {
  const data = { time: apiTime(message.time), runs: message.runs.map(liveRunView), changed: message.changed };
  return `event: live\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * GET /api/sync/live: the dashboard feed as server-sent events. The token is checked as for any
 * route, and again before each message: a stream opened with a token that a reload replaced ends.
 * Open streams end when the server closes (they would hold its close forever).
 */
export function liveStreamRoute(app: FastifyInstance, context: ApiContext): void {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  const scrubber = context.scrubber ?? processScrubber;

  app.withTypeProvider<ZodTypeProvider>().get('/api/sync/live', { schema: liveStreamSchema }, async (request, reply) => {
    // HEAD (which fastify answers with the GET route): the headers, and no stream held open.
    if (request.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').send('');
    const presented = presentedToken(request.headers.authorization);
    const allowed = (): boolean => {
      const { enableAuth, authToken } = context.config().api;
      return !enableAuth || (presented !== undefined && tokenMatches(presented, authToken));
    };
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    let unsubscribe: (() => void) | undefined;
    let keepAlive: NodeJS.Timeout | undefined;
    const end = (): void => {
      if (!open.delete(end)) return;
      clearInterval(keepAlive);
      unsubscribe?.();
      raw.end();
    };
    const write = (text: string): void => {
      if (!allowed()) return end();
      raw.write(scrubber.scrub(text));
    };
    open.add(end);
    raw.on('close', end);
    keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
    unsubscribe = context.dashboard.subscribe((message) => write(eventText(message)));
    if (!open.has(end)) unsubscribe();
  });
}
