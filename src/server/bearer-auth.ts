import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './api-error.js';
import { isUiPath } from './dashboard/ui-routes.js';

/** The paths anyone may call: the readiness and liveness probes, and the dashboard's page and files, carry no data and no credentials. */
export function isPublicPath(path: string): boolean {
  return path === '/healthz' || path === '/livez' || isUiPath(path);
}

export const WWW_AUTHENTICATE = 'Bearer realm="picture-book"';

/**
 * Constant-time comparison of a presented token with the configured one. Both are hashed first:
 * timingSafeEqual needs equal lengths, and comparing digests does not reveal the token's length.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The current auth setting; read per request so a config reload applies at once. */
export type AuthSetting = () => { enabled: boolean; token: string };

/**
 * The token a request presents: `Authorization: Bearer <token>`, or the bare token (the seed says the
 * token is "supplied in the Authorization header"). Undefined when the header is missing or empty.
 */
export function presentedToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(value);
  // Anything else, "Basic ..." included, is compared whole: it matches only a token spelled that way.
  return bearer?.[1] ?? value;
}

/** onRequest hook: with auth on, every path but the public ones needs the token in `Authorization`. */
export function bearerAuth(setting: AuthSetting) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { enabled, token } = setting();
    if (!enabled || isPublicPath(request.url.split('?')[0] ?? '')) return;
    const presented = presentedToken(request.headers.authorization);
    if (presented === undefined) {
      await reply
        .code(401)
        .header('www-authenticate', WWW_AUTHENTICATE)
        .send(
          errorBody(
            'UNAUTHORIZED',
            'this API needs the token in the Authorization header: "Authorization: Bearer <token>" (or the bare token)',
          ),
        );
      return;
    }
    if (!tokenMatches(presented, token)) {
      await reply
        .code(401)
        .header('www-authenticate', `${WWW_AUTHENTICATE}, error="invalid_token"`)
        .send(errorBody('UNAUTHORIZED', 'the token is not valid'));
    }
  };
}
