import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';

export type Path = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds where a key path sits in the YAML source, for messages that point at `file:line:col`.
 * `key` gives the position of the key itself (unknown or mistyped keys), otherwise the value.
 * A path that does not exist (a missing key) points at the nearest existing parent.
 */
export class YamlLocator {
  #doc: Document;
  #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  #at(offset: number | undefined): Position {
    if (offset === undefined) return { line: 1, column: 1 };
    const pos = this.#lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  locate(path: Path, which: 'key' | 'value' = 'value'): Position {
    let node: unknown = this.#doc.contents;
    let keyNode: Node | undefined;
    let last: Node | undefined = (node as Node | null) ?? undefined;
    for (const segment of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else break;
      if (!node) {
        last = keyNode ?? last;
        break;
      }
      last = node as Node;
    }
    const target = which === 'key' && keyNode ? keyNode : last;
    return this.#at(target?.range?.[0]);
  }
}
