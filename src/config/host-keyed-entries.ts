import { parseSourceKey } from './source-key.js';
import type { PathProblem } from './zod-problems.js';

/** A value as the schema normalises it, or undefined when it cannot be (the schema reports why). */
export function quietly<T>(parse: (text: string) => T, value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parse(value);
  } catch {
    return undefined;
  }
}

const NOUN = { sources: 'source', targets: 'target' } as const;

/**
 * The entries of a `sources:` or `targets:` map as the checks read them: keys normalised like a
 * reference's registry (and namespace), so `Quay.io` and `quay.io` are one host and the second
 * key is a problem (its entry is still checked). Keys the schema rejects are left to it. Yielded
 * one by one, so each entry's problems follow its duplicate-key problem.
 */
export function* hostKeyedEntries(
  section: 'sources' | 'targets',
  raw: unknown,
  problems: PathProblem[],
): Generator<{ key: string; host: string; value: unknown }> {
  const keyOf = new Map<string, string>();
  const entries = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? Object.entries(raw) : [];
  for (const [key, value] of entries) {
    const host = quietly(parseSourceKey, key);
    if (host === undefined) continue;
    const first = keyOf.get(host);
    if (first !== undefined)
      problems.push({ path: [section, key], at: 'key', message: `duplicate ${NOUN[section]} "${host}" (already listed as "${first}")` });
    keyOf.set(host, key);
    yield { key, host, value };
  }
}
