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

/**
 * The closest known key when it is close enough to be a typo, else one the key is a shortened or
 * lengthened form of (`gracePeriod` for `gracePeriodSeconds`: too far apart to count as a typo).
 */
export function didYouMean(unknown: string, known: Iterable<string>): string | undefined {
  const keys = [...known];
  let best: { key: string; d: number } | undefined;
  for (const key of keys) {
    const d = distance(unknown, key);
    if (!best || d < best.d) best = { key, d };
  }
  if (best && best.d <= Math.max(2, Math.floor(best.key.length / 3))) return best.key;
  const lower = unknown.toLowerCase();
  if (lower.length < 4) return undefined;
  const byLength = (a: string, b: string) => a.length - b.length;
  const longer = keys.filter((key) => key.toLowerCase().startsWith(lower)).sort(byLength)[0];
  return (
    longer ??
    keys
      .filter((key) => lower.startsWith(key.toLowerCase()))
      .sort(byLength)
      .at(-1)
  );
}
