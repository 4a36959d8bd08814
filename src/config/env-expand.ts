import { isScalar, visit, type Document, type LineCounter, type Node } from 'yaml';
import type { EnvSourcedValue } from './types.js';
import type { Path } from './yaml-locator.js';
import { keyPathOf } from './yaml-paths.js';
import { formatPath } from './zod-problems.js';

export interface ExpansionProblem {
  line: number;
  column: number;
  variable: string;
}

/** A string value that took text from the environment: where, as written, and what came in. */
export interface ExpandedValue {
  path: Path;
  /** The text as written in the file, `${VAR}` and all: safe to show. */
  original: string;
  /** The variables' values and the expanded string: to be kept out of logs and API output. */
  values: string[];
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${VAR}` from `env`; `$${` stays a literal `${`. Unset variables are returned, not guessed. */
export function expandString(value: string, env: NodeJS.ProcessEnv): { value: string; missing: string[]; used: string[] } {
  const missing: string[] = [];
  const used: string[] = [];
  const expanded = value.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    const found = env[name ?? ''];
    if (found === undefined) {
      missing.push(name ?? '');
      return match;
    }
    used.push(found);
    return found;
  });
  return { value: expanded, missing, used };
}

/**
 * Replaces `${VAR}` in every string value of the document (keys are left alone), so secrets can
 * come from the environment instead of the file. Every value that took text from the environment
 * is returned with its key path (also where an alias repeats it), so it can be redacted later.
 */
export function expandEnvironment(
  doc: Document,
  lines: LineCounter,
  env: NodeJS.ProcessEnv,
): { problems: ExpansionProblem[]; expanded: ExpandedValue[] } {
  const problems: ExpansionProblem[] = [];
  const expanded: ExpandedValue[] = [];
  const byNode = new Map<Node, Omit<ExpandedValue, 'path'>>();
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      const { value, missing, used } = expandString(original, env);
      node.value = value;
      const pos = lines.linePos(node.range?.[0] ?? 0);
      for (const variable of missing) problems.push({ line: pos.line, column: pos.col, variable });
      if (used.length === 0) return;
      const record = { original, values: [...used, value] };
      byNode.set(node, record);
      expanded.push({ path: keyPathOf(ancestors, node), ...record });
    },
    Alias(key, node, ancestors) {
      // Anchors come before their aliases, so the anchored scalar has been expanded already.
      const target = node.resolve(doc);
      const record = isScalar(target) ? byNode.get(target) : undefined;
      if (key !== 'key' && record) expanded.push({ path: keyPathOf(ancestors, node), ...record });
    },
  });
  return { problems, expanded };
}

// Identity fields: needed as they are (the API looks registries up by hostname, the log names
// them), and their grammar leaves no room for a secret.
export const IDENTITY_KEYS: ReadonlySet<string> = new Set([
  'hostname',
  'repository',
  'images',
  'source',
  'target',
  'syncPeriod',
  'host',
  'timezone',
]);

/** The expanded values that may hold secrets, for the config to carry. */
export function envSourcedValues(expanded: ExpandedValue[]): EnvSourcedValue[] {
  return expanded
    .filter((e) => !IDENTITY_KEYS.has(String(e.path.findLast((segment) => typeof segment === 'string'))))
    .map((e) => ({ path: formatPath(e.path), original: e.original, values: e.values }));
}
