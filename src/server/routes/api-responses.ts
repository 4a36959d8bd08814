import { z } from 'zod';

/** Every refusal and failure of the API: `{error: {code, message}}`, the code stable, the message for people. */
export const apiErrorSchema = z
  .object({
    error: z.object({ code: z.string().describe('Stable, e.g. INVALID_QUERY, UNAUTHORIZED, JOB_NOT_FOUND'), message: z.string() }).strict(),
  })
  .strict();

/** What any route but /healthz and /livez may answer before its handler runs. */
const GUARDED = {
  401: 'UNAUTHORIZED: the token is missing or wrong (only when api.enableAuth is on)',
  503: 'STARTING: the server is still starting (recovering jobs, scheduling); Retry-After says when to try again',
} as const;

/** Error answers of a route, status -> when: each one the API's error shape, described. */
export function errorResponses<const T extends Record<number, string>>(
  answers: T,
): Record<keyof T | keyof typeof GUARDED, typeof apiErrorSchema> {
  const all: Record<number, string> = { ...GUARDED, ...answers };
  return Object.fromEntries(Object.entries(all).map(([status, when]) => [status, apiErrorSchema.describe(when)])) as Record<
    keyof T | keyof typeof GUARDED,
    typeof apiErrorSchema
  >;
}

/** The answer of a body that does not arrive whole or as JSON. */
export const BODY_REFUSALS = {
  413: 'BODY_TOO_LARGE: the body is over 1 MiB',
  415: 'UNSUPPORTED_MEDIA_TYPE: a body of a media type the API does not read (send application/json)',
} as const;

/** ISO 8601 time with an explicit offset, as the API prints its times (`2030-01-01T00:00:00.000+00:00`). */
export const apiTimeSchema = z.string().datetime({ offset: true });

const MAX_PAGE = 100;

/** The `limit` of a paged list (runs, jobs): a whole number from 1 to 100, 20 when absent. */
export const pageLimitSchema = (items: string) =>
  z.coerce
    .number({ invalid_type_error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(MAX_PAGE, `must be at most ${MAX_PAGE}`)
    .default(20)
    .describe(`${items} per page`);
