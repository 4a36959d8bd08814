import type { ZodIssue } from 'zod';
import { configSchema, registrySchema, SECRET_KEYS } from './schema.js';
import { didYouMean } from './did-you-mean.js';
import type { Path } from './yaml-locator.js';

export interface PathProblem {
  path: Path;
  message: string;
  /** Point at the key (unknown keys) rather than the value. */
  at: 'key' | 'value';
}

export function formatPath(path: Path): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '');
}

/** The keys allowed at an object path, for "did you mean". */
function knownKeys(path: Path): string[] {
  if (path.length === 0) return Object.keys(configSchema.shape);
  if (path[0] === 'registries') return Object.keys(registrySchema.shape);
  const sub = configSchema.shape[path[0] as keyof typeof configSchema.shape];
  const inner = (sub as unknown as { _def?: { innerType?: { shape?: Record<string, unknown> } } })._def?.innerType?.shape;
  return inner ? Object.keys(inner) : [];
}

const ARTICLE: Record<string, string> = { string: 'a string', number: 'a number', boolean: 'a boolean (true or false)', array: 'a list', object: 'a mapping', integer: 'a whole number' };

function describeValue(value: unknown, path: Path): string {
  const key = path.at(-1);
  if (typeof key === 'string' && SECRET_KEYS.has(key)) return typeof value;
  if (value === null) return 'null (empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // JSON.stringify would turn Infinity and NaN (YAML .inf, 1e400, .nan) into "null".
  if (typeof value === 'number') return `number ${String(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Turns zod's issues into messages a person can act on, with the key path they are about. */
export function problemsFromIssues(issues: ZodIssue[], valueAt: (path: Path) => unknown): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = didYouMean(key, knownKeys(path));
          out.push({ path: [...path, key], at: 'key', message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
        }
        break;
      case 'invalid_type':
        if (issue.received === 'undefined') out.push({ path, at: 'key', message: `missing required key "${String(path.at(-1))}"` });
        else if (issue.expected === 'integer') out.push({ path, at: 'value', message: `expected a whole number, got ${describeValue(valueAt(path), path)}` });
        else out.push({ path, at: 'value', message: `expected ${ARTICLE[issue.expected] ?? issue.expected}, got ${describeValue(valueAt(path), path)}` });
        break;
      case 'invalid_enum_value':
        out.push({ path, at: 'value', message: `must be ${issue.options.map((o) => (o === '' ? 'empty' : JSON.stringify(o))).join(' or ')}, got ${JSON.stringify(issue.received)}` });
        break;
      case 'too_small':
        if (issue.type === 'array') out.push({ path, at: 'value', message: `must list at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}` });
        else out.push({ path, at: 'value', message: `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}, got ${describeValue(valueAt(path), path)}` });
        break;
      case 'too_big':
        out.push({ path, at: 'value', message: `must be at most ${issue.maximum}, got ${describeValue(valueAt(path), path)}` });
        break;
      default:
        out.push({ path, at: 'value', message: issue.message });
    }
  }
  return out;
}
