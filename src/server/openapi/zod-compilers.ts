import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../api-error.js';
import { describeIssues } from '../distribute/request-schema.js';

/**
 * Route schemas are zod schemas: handlers see the parsed (and transformed) query, params and body,
 * typed; what they return is checked against the response schemas by the compiler.
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodTypeAny ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodTypeAny ? z.input<this['schema']> : unknown;
}

/**
 * Checks a request part with its zod schema. A refusal is the API's own error (INVALID_BODY for the
 * body, INVALID_QUERY otherwise) with zod's issues as one line, never Fastify's validation text.
 */
export function zodValidatorCompiler(describe: (error: z.ZodError) => string = describeIssues): FastifySchemaCompiler<unknown> {
  return ({ schema, httpPart }) => {
    if (!(schema instanceof z.ZodType)) throw new TypeError(`the ${httpPart ?? 'request'} schema is not a zod schema`);
    return (data: unknown) => {
      const parsed: z.SafeParseReturnType<unknown, unknown> = schema.safeParse(data);
      if (parsed.success) return { value: parsed.data };
      return { error: new ApiError(400, httpPart === 'body' ? 'INVALID_BODY' : 'INVALID_QUERY', describe(parsed.error)) };
    };
  };
}

/**
 * Answers are written as the handlers return them. The response schemas describe them (and type the
 * handlers); they never strip or reject a field at run time.
 */
export const jsonSerializerCompiler: FastifySerializerCompiler<unknown> = () => (data: unknown) => JSON.stringify(data);
