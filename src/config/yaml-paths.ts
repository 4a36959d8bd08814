import { isPair, isScalar, isSeq, visit, type Document, type LineCounter } from 'yaml';
import type { Path } from './yaml-locator.js';

/** The key path of the node a `visit` callback is at, from the ancestors it is given. */
export function keyPathOf(ancestors: readonly unknown[], node: unknown): Path {
  const path: Array<string | number> = [];
  const chain = [...ancestors, node];
  for (let i = 0; i + 1 < chain.length; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isSeq(parent)) path.push(parent.items.indexOf(child));
    else if (isPair(parent) && parent.value === child) path.push(isScalar(parent.key) ? String(parent.key.value) : '?');
  }
  return path;
}

export interface AliasProblem {
  line: number;
  column: number;
  path: Path;
  message: string;
}

/**
 * Aliases (`*name`) with no anchor (`&name`) before them. The yaml library throws on these only
 * when the document becomes data, without a position; an unquoted password that starts with '*'
 * reads as such an alias, so the message never repeats the name.
 */
export function unresolvedAliases(doc: Document, lines: LineCounter): AliasProblem[] {
  const problems: AliasProblem[] = [];
  visit(doc, {
    Alias(_key, node, ancestors) {
      if (node.resolve(doc) !== undefined) return;
      const pos = lines.linePos(node.range?.[0] ?? 0);
      problems.push({
        line: pos.line,
        column: pos.col,
        path: keyPathOf(ancestors, node),
        message: 'YAML alias refers to no anchor defined before it (a value that starts with "*" must be quoted)',
      });
    },
  });
  return problems;
}
