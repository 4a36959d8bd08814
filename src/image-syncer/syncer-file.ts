import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { ConfigError, errorMessage, type ConfigProblem } from '../errors/index.js';

/** Where something is in an image-syncer file, for messages. */
export interface Place {
  file: string;
  line: number;
  column: number;
}

/** A text value of an image-syncer file with where it is (an empty value: '' at its key). */
export interface Located {
  text: string;
  at: Place;
}

/** One `key: value` of a mapping, with both places; `value` is the raw node (a mapping, a list, a scalar or nothing). */
export interface Entry {
  key: Located;
  value: Node | null;
  valueAt: Place;
}

/** Problems collected while reading: thrown together, one line each (`images.yaml:3:1: ...`). */
export class Problems {
  readonly list: ConfigProblem[] = [];
  add(at: Place, path: string, message: string): void {
    this.list.push({ ...at, path, message });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ConfigError([...this.list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line));
  }
}

/** An image-syncer file, parsed: its top-level mapping and a way to say where a node is. */
export class SyncerFile {
  readonly format: 'JSON' | 'YAML';
  constructor(
    readonly file: string,
    readonly root: YAMLMap,
    private readonly lines: LineCounter,
    format: 'JSON' | 'YAML',
  ) {
    this.format = format;
  }

  placeOf(node: Node | null | undefined, fallback?: Place): Place {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback ?? { file: this.file, line: 1, column: 1 };
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  /** The pairs of a mapping node, keys as text (a key that is not text is a problem). */
  entries(map: YAMLMap, problems: Problems, path: string): Entry[] {
    const out: Entry[] = [];
    for (const pair of map.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyAt = this.placeOf(keyNode);
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        problems.add(keyAt, path, 'a key must be text');
        continue;
      }
      const value = (pair.value as Node | null) ?? null;
      out.push({ key: { text: String(keyNode.value), at: keyAt }, value, valueAt: this.placeOf(value, keyAt) });
    }
    return out;
  }

  /** A scalar's text ('' for nothing or null); undefined (and a problem) for a mapping or list. */
  text(node: Node | null, at: Place, problems: Problems, path: string, what: string): string | undefined {
    if (node === null || (isScalar(node) && (node.value === null || node.value === undefined))) return '';
    if (isScalar(node) && ['string', 'number', 'boolean'].includes(typeof node.value)) return String(node.value);
    problems.add(at, path, `${what} must be text, not ${isSeq(node) ? 'a list' : isMap(node) ? 'a mapping' : 'this'}`);
    return undefined;
  }
}

/**
 * Reads an image-syncer file (auth, images, or the older single config), YAML or JSON as its
 * content says (JSON starts with `{`; JSON is YAML 1.2, so one parser reads both and every
 * message has a line and column). Unreadable, unparsable or not a mapping: a ConfigError naming the file.
 */
export async function readSyncerFile(file: string, what: string): Promise<SyncerFile> {
  const fail = (line: number, column: number, message: string): never => {
    throw new ConfigError([{ file, line, column, path: '', message }]);
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return fail(0, 0, code === 'ENOENT' ? `${what} not found` : `cannot read ${what}: ${errorMessage(error)}`);
  }
  const format = text.trimStart().startsWith('{') ? 'JSON' : 'YAML';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const [first] = doc.errors;
  if (first) {
    const message = first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'syntax error';
    return fail(first.linePos?.[0].line ?? 0, first.linePos?.[0].col ?? 0, `${format} syntax: ${message}`);
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))
    return new SyncerFile(file, doc.createNode({}), lines, format);
  if (!isMap(doc.contents)) return fail(1, 1, `${what} must be a mapping (${format}), like the examples of image-syncer's README`);
  return new SyncerFile(file, doc.contents, lines, format);
}
