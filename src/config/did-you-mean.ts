function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest known key when it is close enough to be a typo. */
export function didYouMean(unknown: string, known: Iterable<string>): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = distance(unknown, key);
    if (!best || d < best.d) best = { key, d };
  }
  if (!best) return undefined;
  return best.d <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}
