import { basename } from 'node:path';
import { after } from 'node:test';

/**
 * Shared by the chaos suite: seeded randomness (the seed is printed, and CHAOS_SEED replays it), the
 * figures each file reports in one summary line (quoted by the README's "Reliability" section), and
 * a bound on how long something may take (an assertion of a bound, never a sleep).
 */

export interface ChaosRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast and good enough to choose kill moments and faults. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The file's random source: CHAOS_SEED when set (to replay a failure), else a fresh seed; printed either way. */
export function chaosRandom(file: string): ChaosRandom {
  const fromEnv = process.env.CHAOS_SEED;
  const seed = fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  console.log(`chaos seed ${basename(file)}: ${seed} (replay: CHAOS_SEED=${seed} node --test ${file})`);
  const next = mulberry32(seed);
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

export type FigureName =
  'kills' | 'faults' | 'badInputs' | 'hostileCases' | 'verifiedTags' | 'secretsChecked' | 'secretsLeaked' | 'routesGuarded' | 'runs';

/** Counts what a chaos file did; prints one `chaos figures` line once the file's tests are over. */
export function chaosFigures(file: string): Record<FigureName, number> {
  const figures: Record<FigureName, number> = {
    kills: 0,
    faults: 0,
    badInputs: 0,
    hostileCases: 0,
    verifiedTags: 0,
    secretsChecked: 0,
    secretsLeaked: 0,
    routesGuarded: 0,
    runs: 0,
  };
  after(() => {
    const shown = Object.entries(figures)
      .filter(([, value]) => value > 0)
      .map(([name, value]) => `${name}=${value}`);
    console.log(`chaos figures ${basename(file)}: ${shown.join(' ') || 'none'}`);
  });
  return figures;
}

/** Resolves with `work`'s value, or fails once `boundMs` has passed: nothing in the suite may hang. */
export async function within<T>(boundMs: number, what: string, work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than its bound of ${boundMs} ms`)), boundMs);
  });
  try {
    const value = await Promise.race([work, bound]);
    return { value, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
