import { visit, type Document, type LineCounter } from 'yaml';

export interface ExpansionProblem {
  line: number;
  column: number;
  variable: string;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${VAR}` from `env`; `$${` stays a literal `${`. Unset variables are returned, not guessed. */
export function expandString(value: string, env: NodeJS.ProcessEnv): { value: string; missing: string[] } {
  const missing: string[] = [];
  const expanded = value.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    const found = env[name ?? ''];
    if (found === undefined) {
      missing.push(name ?? '');
      return match;
    }
    return found;
  });
  return { value: expanded, missing };
}

/**
 * Replaces `${VAR}` in every string value of the document (keys are left alone), so secrets can
 * come from the environment instead of the file.
 */
export function expandEnvironment(doc: Document, lines: LineCounter, env: NodeJS.ProcessEnv): ExpansionProblem[] {
  const problems: ExpansionProblem[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const { value, missing } = expandString(node.value, env);
      node.value = value;
      const pos = lines.linePos(node.range?.[0] ?? 0);
      for (const variable of missing) problems.push({ line: pos.line, column: pos.col, variable });
    },
  });
  return problems;
}
