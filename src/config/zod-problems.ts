import type { ZodIssue, ZodTypeAny } from 'zod';
import { SECRET_KEYS } from './schema.js';
import { didYouMean } from './did-you-mean.js';
import { knownKeys } from './schema-walk.js';
import type { Path } from './yaml-locator.js';

export interface PathProblem {
  path: Path;
  message: string;
  /** Point at the key (unknown keys) rather than the value. */
  at: 'key' | 'value';
}

/** `registries[0].hostname`; a key that is not a plain name (a `sources` host) as `sources["quay.io:5000"]`. */
export function formatPath(path: Path): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) return `${out}[${JSON.stringify(segment)}]`;
    return out ? `${out}.${segment}` : segment;
  }, '');
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'a mapping',
  integer: 'a whole number',
};

function describeValue(value: unknown, path: Path): string {
  if (path.some((key) => typeof key === 'string' && SECRET_KEYS.has(key))) return typeof value;
  if (value === null) return 'null (empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // JSON.stringify would turn Infinity and NaN (YAML .inf, 1e400, .nan) into "null".
  if (typeof value === 'number') return `number ${String(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Turns zod's issues into messages a person can act on, with the key path they are about (`schema`: for "did you mean"). */
export function problemsFromIssues(issues: ZodIssue[], schema: ZodTypeAny, valueAt: (path: Path) => unknown): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = didYouMean(key, knownKeys(schema, path));
          out.push({ path: [...path, key], at: 'key', message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
        }
        break;
      case 'invalid_type':
        if (issue.received === 'undefined') out.push({ path, at: 'key', message: `missing required key "${String(path.at(-1))}"` });
        else if (issue.expected === 'integer')
          out.push({ path, at: 'value', message: `expected a whole number, got ${describeValue(valueAt(path), path)}` });
        else
          out.push({
            path,
            at: 'value',
            message: `expected ${ARTICLE[issue.expected] ?? issue.expected}, got ${describeValue(valueAt(path), path)}`,
          });
        break;
      case 'invalid_enum_value':
        out.push({
          path,
          at: 'value',
          message: `must be ${issue.options.map((o) => (o === '' ? 'empty' : JSON.stringify(o))).join(' or ')}, got ${JSON.stringify(issue.received)}`,
        });
        break;
      case 'too_small':
        if (issue.type === 'array')
          out.push({ path, at: 'value', message: `must list at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}` });
        else
          out.push({
            path,
            at: 'value',
            message: `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}, got ${describeValue(valueAt(path), path)}`,
          });
        break;
      case 'too_big':
        out.push({ path, at: 'value', message: `must be at most ${issue.maximum}, got ${describeValue(valueAt(path), path)}` });
        break;
      case 'custom':
        // A record key's own problem (a `sources:` host) points at the key.
        out.push({ path, at: issue.params?.at === 'key' ? 'key' : 'value', message: issue.message });
        break;
      default:
        out.push({ path, at: 'value', message: issue.message });
    }
  }
  return out;
}
