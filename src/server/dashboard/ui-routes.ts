import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorBody } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { apiErrorSchema } from '../routes/api-responses.js';
import type { ZodTypeProvider } from '../openapi/zod-compilers.js';
import { uiAsset } from './ui-assets.js';

/** The page's own files only: scripts, styles, connections and images from this server, never framed. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const redirect = {
  summary: 'To the dashboard (/ui/)',
  security: [],
  response: { 302: z.null().describe('Location: ui/') },
};
const shell = {
  summary: 'The dashboard page (api.enabled); it holds no data, its API calls need the token',
  security: [],
  produces: ['text/html'],
  response: {
    200: z.string().describe('The page'),
    304: z.null().describe('Not modified (If-None-Match)'),
    404: apiErrorSchema.describe('NOT_FOUND: the page was not built'),
  },
};
const file = {
  summary: "The dashboard's scripts, styles and icon",
  security: [],
  produces: ['text/javascript', 'text/css', 'image/svg+xml'],
  params: z.object({ file: z.string().describe('app.js, app.css or favicon.svg') }),
  response: {
    200: z.string().describe('The file'),
    304: z.null().describe('Not modified (If-None-Match)'),
    404: apiErrorSchema.describe('NOT_FOUND: no such file'),
  },
};

/**
 * The paths anyone may fetch without the token: the page and its files carry no data. A file is one
 * plain name ("app.js"): a path with dots, slashes or escapes after /ui/ needs the token like any other.
 */
export function isUiPath(path: string): boolean {
  return path === '/' || path === '/ui' || path === '/ui/' || /^\/ui\/[\w-]+(\.\w+)?$/.test(path);
}

/** A file of the page; the page itself says whether the API needs the token (`data-auth`), before any call. */
async function send(request: FastifyRequest, reply: FastifyReply, name: string, auth: 'on' | 'off') {
  const asset = uiAsset(name);
  if (!asset)
    return reply
      .code(404)
      .send(errorBody('NOT_FOUND', name === 'index.html' ? 'the dashboard was not built (npm run build)' : `no dashboard file ${name}`));
  let { body, etag } = asset;
  if (name === 'index.html') {
    body = Buffer.from(body.toString('utf8').replace('data-auth="on"', `data-auth="${auth}"`), 'utf8');
    etag = etag.replace(/"$/, `-${auth}"`);
  }
  void reply.headers({ ...SECURITY_HEADERS, etag });
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  // A Buffer: the answer scrubber masks secrets in strings only, and must not touch the page's code.
  return reply.type(asset.contentType).send(body);
}

/** GET / and /ui go to /ui/, the page; /ui/FILE its files. */
export function uiRoutes(app: FastifyInstance, context: ApiContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  for (const path of ['/', '/ui']) routes.get(path, { schema: redirect }, async (_request, reply) => reply.redirect('ui/', 302));
  const auth = () => (context.config().api.enableAuth ? 'on' : 'off');
  routes.get('/ui/', { schema: shell }, (request, reply) => send(request, reply, 'index.html', auth()));
  routes.get('/ui/:file', { schema: file }, (request, reply) => send(request, reply, request.params.file, auth()));
}
