import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { z } from 'zod';
import { jsonSchemaOf, type JsonSchema } from './json-schema.js';

const REQUEST_PARTS = ['querystring', 'params', 'headers', 'body'] as const;

/**
 * A route's zod schemas as JSON Schema for @fastify/swagger. A response schema's `.describe()` text
 * becomes the response's description (and leaves its content schema, so equal shapes stay equal).
 * `produces` names the media type of the successful answers; errors are always JSON.
 */
export const zodSchemaTransform: SwaggerTransform = ({ schema, url }) => {
  const { produces, ...out }: Record<string, unknown> = { ...schema };
  for (const part of REQUEST_PARTS) {
    const given: unknown = schema[part];
    if (given instanceof z.ZodType) out[part] = jsonSchemaOf(given);
  }
  if (schema.response !== undefined && typeof schema.response === 'object') {
    const successType = Array.isArray(produces) && typeof produces[0] === 'string' ? produces[0] : 'application/json';
    out.response = Object.fromEntries(
      Object.entries(schema.response as Record<string, unknown>).map(([status, given]) => {
        if (!(given instanceof z.ZodType)) return [status, given];
        const { description, ...content } = jsonSchemaOf(given);
        const mediaType = status.startsWith('2') ? successType : 'application/json';
        return [status, { description: description ?? `HTTP ${status}`, content: { [mediaType]: { schema: content } } }];
      }),
    );
  }
  return { schema: out, url };
};

/**
 * Names shared shapes: each component's schema is added under components.schemas, and every copy of
 * it in the paths becomes a `$ref` to it (found by equal JSON, as the schemas are written out whole).
 */
export function componentRefs(components: Record<string, z.ZodTypeAny>): SwaggerTransformObject {
  return (input) => {
    if (!('openapiObject' in input)) throw new TypeError('the API is described as OpenAPI 3, not Swagger 2');
    const schemas = Object.fromEntries(Object.entries(components).map(([name, schema]) => [name, jsonSchemaOf(schema)]));
    const names = new Map(Object.entries(schemas).map(([name, schema]) => [JSON.stringify(schema), name]));
    const refer = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(refer);
      if (typeof node !== 'object' || node === null) return node;
      const name = names.get(JSON.stringify(node));
      if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, refer(value)]));
    };
    // A component holds the others it contains by reference too (a synchronizer's last run is a Run).
    const named: Record<string, JsonSchema> = Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [
        name,
        Object.fromEntries<unknown>(Object.entries(schema).map(([key, value]) => [key, refer(value)])),
      ]),
    );
    const { openapiObject } = input;
    const document = {
      ...openapiObject,
      paths: refer(openapiObject.paths),
      components: { ...openapiObject.components, schemas: { ...openapiObject.components?.schemas, ...named } },
    };
    return document as ReturnType<SwaggerTransformObject>;
  };
}
