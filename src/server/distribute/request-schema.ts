import { z } from 'zod';
import { parseReference } from '../../reference/index.js';
import { parseEndpoint } from './endpoint-address.js';

/** The transfer-service API sends booleans as JSON booleans or as the strings "true" / "false". */
const booleanish = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((v) => v.toLowerCase() === 'true')]);

/** Empty strings in the seed's template mean "not given". */
const optionalText = z.string().optional().transform((v) => (v === '' ? undefined : v));

const authSchema = z
  .object({
    url: optionalText.pipe(z.string().url('must be a URL').optional()),
    token_type: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['JWT', 'Bearer', 'jwt', 'bearer']).optional()),
    header: z.union([optionalText, z.record(z.string())]),
    json: z.union([optionalText, z.record(z.unknown())]),
    basicauth: z.object({ user: z.string().min(1, 'is empty'), password: z.string() }).strict().optional(),
  })
  .strict()
  .superRefine((auth, ctx) => {
    if (!auth.basicauth && !auth.url) ctx.addIssue({ code: 'custom', message: 'needs basicauth {user, password} or a token url' });
    if (typeof auth.json === 'string') {
      try {
        JSON.parse(auth.json);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['json'], message: 'is not valid JSON' });
      }
    }
  });

const endpoint = z.string().min(1, 'is empty').superRefine((text, ctx) => {
  try {
    parseEndpoint(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
  }
});

export const distributeRequestSchema = z
  .object({
    source: z
      .object({
        endpoint,
        image: z.string().min(1, 'is empty'),
        ref: z.string().min(1, 'is empty'),
        verify_tls: booleanish.optional(),
        auth: authSchema.optional(),
      })
      .strict(),
    targets: z
      .array(
        z
          .object({
            endpoint,
            overwrite: booleanish.default(false),
            verify_tls: booleanish.optional(),
            auth: authSchema.optional(),
          })
          .strict(),
      )
      .min(1, 'needs at least one target')
      .max(100, 'at most 100 targets per job'),
  })
  .strict()
  .superRefine((request, ctx) => {
    const seen = new Set<string>();
    request.targets.forEach((target, i) => {
      if (seen.has(target.endpoint)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'endpoint'], message: `${target.endpoint} is listed twice` });
      seen.add(target.endpoint);
    });
    try {
      parseReference(imageReference('registry.invalid', request.source.image, request.source.ref));
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: `image and ref: ${error instanceof Error ? error.message : String(error)}` });
    }
  });

export type DistributeRequest = z.output<typeof distributeRequestSchema>;
export type DistributeAuth = z.output<typeof authSchema>;
export type DistributeTarget = DistributeRequest['targets'][number];

/** `host/image:tag` or `host/image@digest`: a ref with a ':' is a digest. */
export function imageReference(host: string, image: string, ref: string): string {
  return `${host}/${image}${ref.includes(':') ? '@' : ':'}${ref}`;
}

/** Zod's issues as one line a person can act on: `targets[1].endpoint: ...; source.ref: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
