import { ZodArray, ZodDefault, ZodEffects, ZodNullable, ZodObject, ZodOptional, ZodRecord, ZodUnion, type ZodTypeAny } from 'zod';
import type { Path } from './yaml-locator.js';

/**
 * Unwraps defaults, optionals, nullables, transforms and refinements down to the schema that holds
 * the shape; a union with one mapping among its forms (`prune: true` or `prune: {graceRuns: 3}`) to
 * that mapping, so its keys are known like any other.
 */
export function unwrap(schema: ZodTypeAny): ZodTypeAny {
  let current = schema;
  for (;;) {
    if (current instanceof ZodDefault) current = current.removeDefault() as ZodTypeAny;
    else if (current instanceof ZodOptional || current instanceof ZodNullable) current = current.unwrap() as ZodTypeAny;
    else if (current instanceof ZodEffects) current = current.innerType() as ZodTypeAny;
    else if (current instanceof ZodUnion) {
      const mappings = (current.options as ZodTypeAny[]).map(unwrap).filter((option) => option instanceof ZodObject);
      const [mapping] = mappings;
      if (mappings.length !== 1 || !mapping) return current;
      current = mapping;
    } else return current;
  }
}

/** The schema of a key path (list indexes and record keys take any value), or undefined when there is no such key. */
export function schemaAt(root: ZodTypeAny, path: Path): ZodTypeAny | undefined {
  let schema: ZodTypeAny | undefined = root;
  for (const segment of path) {
    const inner: ZodTypeAny = unwrap(schema);
    if (inner instanceof ZodObject) schema = (inner.shape as Record<string, ZodTypeAny>)[String(segment)];
    else if (inner instanceof ZodArray) schema = inner.element as ZodTypeAny;
    else if (inner instanceof ZodRecord) schema = inner.valueSchema as ZodTypeAny;
    else schema = undefined;
    if (!schema) return undefined;
  }
  return schema;
}

/** The keys allowed at an object path, for "did you mean": nested keys work too. */
export function knownKeys(root: ZodTypeAny, path: Path): string[] {
  const target = schemaAt(root, path);
  const inner = target && unwrap(target);
  return inner instanceof ZodObject ? Object.keys(inner.shape as object) : [];
}

export interface KeyPath {
  /** Segments: a key, `[]` for the items of a list of mappings, `*` for the keys of a record. */
  segments: string[];
  /** The `.describe()` text of the key. */
  description: string | undefined;
  /** A value (not a mapping, nor a list or record of mappings). */
  leaf: boolean;
}

/** Every key a config may hold, parents before their children. */
export function keyPaths(root: ZodTypeAny): KeyPath[] {
  const out: KeyPath[] = [];
  const walk = (schema: ZodTypeAny, segments: string[]): void => {
    const inner = unwrap(schema);
    if (inner instanceof ZodObject) {
      for (const [key, child] of Object.entries(inner.shape as Record<string, ZodTypeAny>)) {
        const below = [...segments, key];
        const before = out.length;
        out.push({ segments: below, description: child.description, leaf: false });
        walk(child, below);
        const entry = out[before];
        if (entry) entry.leaf = out.length === before + 1;
      }
    } else if (inner instanceof ZodArray) walk(inner.element as ZodTypeAny, [...segments, '[]']);
    else if (inner instanceof ZodRecord) walk(inner.valueSchema as ZodTypeAny, [...segments, '*']);
  };
  walk(root, []);
  return out;
}
