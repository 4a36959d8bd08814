import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { formatPath } from '../../config/zod-problems.js';
import { errorMessage } from '../../errors/index.js';
import { digestProblem } from '../../reference/digest.js';
import { validateRepository, validateTag } from '../../reference/grammar.js';
import { parseReference } from '../../reference/index.js';
import { oddAddressProblem } from './address-policy.js';
import { parseEndpoint, writtenHost } from './endpoint-address.js';
import { ALLOWED_TOKEN_HEADERS, tokenHeaders } from './token-headers.js';

const BOOLEAN_STRINGS = ['true', 'false', 'True', 'False'] as const;

/**
 * The transfer-service API sends booleans as JSON booleans or as the strings "true" / "false".
 * One message for any other value (zod's own union message would only say "Invalid input").
 */
const booleanish = z
  .union([z.boolean(), z.enum(BOOLEAN_STRINGS)], {
    errorMap: () => ({ message: 'must be true or false (a JSON boolean or the string "true" / "false")' }),
  })
  .transform((value) => (typeof value === 'boolean' ? value : value.toLowerCase() === 'true'));

/**
 * Grammar errors as a field's message (each field is checked on its own, so all are reported): what
 * `check` throws, or the problem it returns.
 */
const grammar = (check: (text: string) => string | undefined) => (text: string, ctx: z.RefinementCtx) => {
  try {
    const problem = check(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: errorMessage(error) });
  }
};

const imagePath = z
  .string()
  .min(1, 'is empty')
  .superRefine(
    grammar((image) => {
      validateRepository(image, image);
      return undefined;
    }),
  );
/** A tag, or a digest when it has a ':'. */
const imageRef = z
  .string()
  .min(1, 'is empty')
  .superRefine(
    grammar((ref) => {
      if (ref.includes(':')) {
        const problem = digestProblem(ref);
        return problem === undefined ? undefined : `digest ${problem}`;
      }
      validateTag(ref, ref);
      return undefined;
    }),
  );

/** Empty strings in the seed's template mean "not given". */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/**
 * A token endpoint: http(s) only (never `file:`, `gopher:`, `javascript:`), no credentials in it
 * (they belong in `header`), no IP in an unusual form. The URL itself is never quoted (its query
 * may carry a key).
 */
const tokenUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
    return;
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:'
      ? `must be an http:// or https:// URL (scheme ${url.protocol.slice(0, 20)} is refused)`
      : url.username || url.password
        ? 'must not contain credentials; send them in header'
        : oddAddressProblem(writtenHost(text));
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const headerSchema = z.union([optionalText, z.record(z.string())]).superRefine((header, ctx) => {
  for (const problem of tokenHeaders(header).problems) ctx.addIssue({ code: 'custom', message: problem });
});

const MAX_CA_LENGTH = 64 * 1024;
const CA = 'PEM CA certificate(s) trusted for this endpoint (and its token URL) only';
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** `ca`: PEM certificates trusted for this endpoint only. A key or anything else is refused, named as such. */
const caSchema = z
  .string()
  .max(MAX_CA_LENGTH, `is longer than ${MAX_CA_LENGTH} characters`)
  .superRefine((pem, ctx) => {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
      ctx.addIssue({ code: 'custom', message: 'is a private key, not a CA certificate (PEM "-----BEGIN CERTIFICATE-----")' });
      return;
    }
    const blocks = pem.match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must be PEM text with at least one "-----BEGIN CERTIFICATE-----" block' });
      return;
    }
    blocks.forEach((block, i) => {
      try {
        new X509Certificate(block);
      } catch {
        ctx.addIssue({ code: 'custom', message: `certificate ${i + 1} of the PEM text cannot be read` });
      }
    });
  });

export const authSchema = z
  .object({
    url: optionalText.pipe(tokenUrl.optional()).describe('Token endpoint (http or https); GET, or POST when json is given'),
    // Auth values are never quoted back (zod's enum message would repeat the received value).
    token_type: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(['JWT', 'Bearer', 'jwt', 'bearer'], { errorMap: () => ({ message: 'must be "Bearer" or "JWT"' }) }).optional(),
    ),
    header: headerSchema.describe(`"Name: value" lines, or an object. Allowed: ${ALLOWED_TOKEN_HEADERS}`),
    json: z.union([optionalText, z.record(z.unknown())]).describe('JSON body for the token request'),
    basicauth: z
      .object({ user: z.string().min(1, 'is empty'), password: z.string() })
      .strict()
      .optional(),
  })
  .strict()
  .describe('Basic auth wins over the token setup.')
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

const endpoint = z
  .string()
  .min(1, 'is empty')
  .superRefine((text, ctx) => {
    if (text === '') return; // already "is empty"
    try {
      parseEndpoint(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: errorMessage(error) });
    }
  });

export const distributeRequestSchema = z
  .object({
    source: z
      .object({
        endpoint: endpoint.describe(
          'Registry endpoint: http(s)://host[:port] with or without /v2, or host[:port] for https (e.g. http://127.0.0.1:5000/v2)',
        ),
        image: imagePath.describe('Repository path, e.g. library/app'),
        ref: imageRef.describe('Tag or digest'),
        verify_tls: booleanish.optional().describe('Verify TLS certificates (default true)'),
        ca: caSchema.optional().describe(CA),
        auth: authSchema.optional(),
      })
      .strict(),
    targets: z
      .array(
        z
          .object({
            endpoint: endpoint.describe('Registry endpoint, as for the source'),
            overwrite: booleanish.default(false).describe('Copy even when the target already has the tag'),
            verify_tls: booleanish.optional().describe('Verify TLS certificates (default true)'),
            ca: caSchema.optional().describe(CA),
            auth: authSchema.optional(),
          })
          .strict(),
      )
      .min(1, 'needs at least one target')
      .max(100, 'at most 100 targets per job'),
  })
  .strict()
  .superRefine((request, ctx) => {
    // One registry once, however it is spelled (`http://127.0.0.1:5000/v2` is `127.0.0.1:5000`):
    // refused rather than merged, since the two entries may carry different auth or overwrite.
    const seen = new Map<string, number>();
    request.targets.forEach((target, i) => {
      const host = registryOf(target.endpoint);
      if (host === undefined) return; // reported on the field
      const first = seen.get(host);
      if (first === undefined) return void seen.set(host, i);
      const spelled =
        request.targets[first]?.endpoint === target.endpoint
          ? `${target.endpoint} is listed twice`
          : `${target.endpoint} is the registry of targets[${first}] (${request.targets[first]?.endpoint})`;
      ctx.addIssue({ code: 'custom', path: ['targets', i, 'endpoint'], message: `${spelled}; list each registry once` });
    });
    // Each part is reported on its own field; together they can still be too long a name.
    const { image, ref } = request.source;
    if (!imagePath.safeParse(image).success || !imageRef.safeParse(ref).success) return;
    try {
      parseReference(imageReference('registry.invalid', image, ref));
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: `image and ref: ${errorMessage(error)}` });
    }
  });

function registryOf(endpoint: string): string | undefined {
  try {
    return parseEndpoint(endpoint).host;
  } catch {
    return undefined;
  }
}

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
      const path = formatPath(issue.path);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
