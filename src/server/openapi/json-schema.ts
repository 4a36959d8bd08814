import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

export type JsonSchema = Record<string, unknown>;

const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNever = (value: unknown): boolean =>
  isObject(value) && Object.keys(value).length === 1 && isObject(value.not) && Object.keys(value.not).length === 0;

/**
 * zod-to-json-schema writes an optional value inside a union as `anyOf: [{not: {}}, X]` ("absent, or
 * X"); in an OpenAPI document optionality is the parent's `required`, so the `{not: {}}` members go,
 * nested `anyOf`s are flattened and a lone member takes its parent's place.
 */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!isObject(node)) return node;
  const out: JsonSchema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, tidy(value)]));
  for (const keyword of ['anyOf', 'allOf'] as const) {
    const members = out[keyword];
    if (!Array.isArray(members)) continue;
    const kept = (members as unknown[]).flatMap((member) =>
      isNever(member)
        ? []
        : isObject(member) && Object.keys(member).length === 1 && Array.isArray(member[keyword])
          ? (member[keyword] as unknown[])
          : [member],
    );
    const unique = kept.filter((member, i) => kept.findIndex((other) => JSON.stringify(other) === JSON.stringify(member)) === i);
    const [only] = unique;
    if (unique.length === 1 && isObject(only) && Object.keys(only).every((key) => !(key in out) || key === keyword)) {
      delete out[keyword];
      Object.assign(out, only);
    } else {
      out[keyword] = unique;
    }
  }
  return out;
}

/**
 * The JSON Schema (the dialect of OpenAPI 3.1) of what a zod schema accepts: its input side, before
 * transforms, since that is what a client sends. Written out in full, without `$ref`s.
 */
export function jsonSchemaOf(schema: z.ZodTypeAny): JsonSchema {
  // ZodTypeAny's definition type is `any`; the converter asks for a plain ZodType, which every zod schema is.
  const json = zodToJsonSchema(schema as z.ZodType, {
    target: 'jsonSchema2019-09',
    $refStrategy: 'none',
    effectStrategy: 'input',
    pipeStrategy: 'input',
  }) as JsonSchema;
  delete json.$schema;
  return tidy(json) as JsonSchema;
}
