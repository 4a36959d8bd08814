import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ZodArray, ZodObject, ZodRecord, type ZodTypeAny } from 'zod';
import { NO_CONTEXT } from './fields.js';
import { configSchema } from './schema.js';
import { keyPaths, unwrap } from './schema-walk.js';

/*
 * The schema is where the config's structure is written (each key with a `.describe()`); the
 * README is what users read. This test holds them together. A key path is written with dots:
 * `api.port`, `registries.images` (a key of each entry of the list), `sources.<host>.caFile`
 * (`<...>` stands for any key of a mapping keyed by the user, e.g. a host). The README documents
 * a key when it shows it
 *   - in a table: the first column of a table headed `key` holds whole paths (`sync.timezone`;
 *     several in one cell: `api.host`, `api.port`); one headed "key of a `P` entry" holds keys
 *     under P (`P` = `registries`, `sources.<host>`);
 *   - in a ```yaml example, at its place (`timeouts:` block, the sample config.yaml);
 *   - in the text, as a whole path in backticks (`state.path`, `sources.<host>.auth`) or as
 *     inline YAML (`concurrency: {images: 8, blobs: 16}`) starting with a top-level key.
 */

// dist/src/config/ -> the repository's README.md.
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const schema = configSchema(NO_CONTEXT);
const TOP_KEYS = new Set(Object.keys(schema.shape));

/** `registries[].caFile`, `sources.<key>.auth`: a path as the schema has it, for comparing and messages. */
const joinPath = (segments: readonly string[]): string =>
  segments
    .map((s) => (s === '*' ? '<key>' : s))
    .join('.')
    .replaceAll('.[]', '[]');

/** The schema's form of a written path (list items and user keys made explicit), or undefined when it has no such key. */
function resolvePath(written: readonly string[]): string | undefined {
  const out: string[] = [];
  let current: ZodTypeAny = schema;
  for (const segment of written) {
    let inner = unwrap(current);
    while (inner instanceof ZodArray) {
      out.push('[]');
      inner = unwrap(inner.element as ZodTypeAny);
    }
    if (inner instanceof ZodRecord && /^<[^>]+>$/.test(segment)) {
      out.push('*');
      current = inner.valueSchema as ZodTypeAny;
    } else if (inner instanceof ZodObject && segment in inner.shape) {
      out.push(segment);
      current = (inner.shape as Record<string, ZodTypeAny>)[segment] as ZodTypeAny;
    } else return undefined;
  }
  return joinPath(out);
}

/** The key paths a YAML value shows: the keys of a user-keyed mapping (`sources:`) become `<key>`. */
function yamlPaths(value: unknown, prefix: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((item) => yamlPaths(item, prefix));
  if (typeof value !== 'object' || value === null) return [];
  const userKeyed = resolvePath([...prefix, '<key>']) !== undefined;
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, userKeyed ? '<key>' : key];
    return [path, ...yamlPaths(child, path)];
  });
}

const backticked = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
const DOTTED = /^[a-z][A-Za-z]*(\.(<[a-z]+>|[a-z][A-Za-z]*))+$/;

/** Every key path the README documents, as written there. */
function documentedPaths(): string[][] {
  const found: string[][] = [];
  for (const block of README.matchAll(/```yaml\n([\s\S]*?)```/g)) found.push(...yamlPaths(parse(block[1] ?? '')));
  const lines = README.split('\n');
  lines.forEach((line, i) => {
    if (!line.startsWith('|') || lines[i - 1]?.startsWith('|') || !lines[i + 1]?.startsWith('| ---')) return;
    const header = line.split('|')[1]?.trim() ?? '';
    const parent = header === 'key' ? [] : /^key of a `([^`]+)` entry$/.exec(header)?.[1]?.split('.');
    if (!parent) return;
    for (let row = i + 2; lines[row]?.startsWith('|'); row++) {
      for (const key of backticked(lines[row]?.split('|')[1] ?? '')) found.push([...parent, ...key.split('.')]);
    }
  });
  // Fenced blocks out first: their ``` would pair with the text's backticks.
  for (const token of backticked(README.replace(/```[\s\S]*?```/g, ''))) {
    if (DOTTED.test(token) && TOP_KEYS.has(token.split('.')[0] ?? '')) found.push(token.split('.'));
    const inline = /^([a-z][A-Za-z]*):( |$)/.exec(token);
    if (inline && TOP_KEYS.has(inline[1] ?? '')) found.push(...yamlPaths(parse(token)));
  }
  return found;
}

const schemaKeys = keyPaths(schema).map((k) => ({ ...k, path: joinPath(k.segments) }));

test('every key of the schema is documented in the README', () => {
  const documented = new Set(documentedPaths().map(resolvePath));
  const missing = schemaKeys.filter((k) => k.leaf && !documented.has(k.path)).map((k) => k.path);
  assert.deepEqual(missing, [], 'keys the README does not show (add them to a table or an example)');
});

test('every key the README documents is in the schema', () => {
  const unknown = documentedPaths()
    .filter((path) => resolvePath(path) === undefined)
    .map((path) => path.join('.'));
  assert.deepEqual(unknown, [], 'keys the README shows that config.yaml does not take');
});

test('every key of the schema says what it holds (.describe)', () => {
  assert.deepEqual(
    schemaKeys.filter((k) => !k.description).map((k) => k.path),
    [],
  );
});

test('the README check sees what it should: a key left out or made up is noticed', () => {
  assert.ok(schemaKeys.some((k) => k.path === 'sources.<key>.caFile' && k.leaf));
  assert.ok(schemaKeys.some((k) => k.path === 'registries[].caFile' && k.leaf));
  assert.equal(resolvePath(['sources', '<host>', 'caFile']), 'sources.<key>.caFile');
  assert.equal(resolvePath(['registries', 'pipelining']), 'registries[].pipelining');
  assert.equal(resolvePath(['api', 'prot']), undefined);
  const documented = documentedPaths().map((path) => path.join('.'));
  for (const path of [
    'api.port',
    'sync.timezone',
    'sources.<host>.caFile',
    'sources.<host>.pipelining',
    'timeouts.blobMinBytes',
    'concurrency.blobs',
    'registries.syncerScriptMaxLines',
    'registries.deleteLocalImages',
  ]) {
    assert.ok(documented.includes(path), `${path} is found in the README (found: ${documented.join(', ')})`);
  }
});
