import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './api-error.js';

/** The paths anyone may call: a liveness probe carries no data and has no credentials. */
const PUBLIC_PATHS = new Set(['/healthz']);

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

/** onRequest hook: with auth on, every path but the public ones needs `Authorization: Bearer <token>`. */
export function bearerAuth(setting: AuthSetting) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { enabled, token } = setting();
    if (!enabled || PUBLIC_PATHS.has(request.url.split('?')[0] ?? '')) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      await reply.code(401).header('www-authenticate', WWW_AUTHENTICATE).send(errorBody('UNAUTHORIZED', 'this API needs an "Authorization: Bearer <token>" header'));
      return;
    }
    if (!tokenMatches(match[1], token)) {
      await reply.code(401).header('www-authenticate', `${WWW_AUTHENTICATE}, error="invalid_token"`).send(errorBody('UNAUTHORIZED', 'the bearer token is not valid'));
    }
  };
}
