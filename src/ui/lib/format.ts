/** Numbers, sizes, durations and times as the dashboard writes them. Pure: the clock is passed in. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Decimal units, as registries and `docker images` count: 1.5 MB, 12 KB, 830 B. */
export function bytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function rate(bytesPerSecond: number): string {
  return `${bytes(bytesPerSecond)}/s`;
}

/** 850 ms, 12.3 s, 4 min 5 s, 2 h 10 min, 3 d 4 h. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor(s / 3600) % 24, 'h'],
    [Math.floor(s / 60) % 60, 'min'],
    [Math.floor(s) % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

/** "in 4 min", "12 s ago", "now" (within a second). */
export function relative(at: number, now: number): string {
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'now';
  const span = duration(Math.abs(delta)).replace(/^(\d+)\.\d s$/, '$1 s');
  return delta > 0 ? `in ${span}` : `${span} ago`;
}

/** A time in the configured timezone: "6 May 2025, 10:15:20 UTC". */
export function absolute(at: number, timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    }).format(at);
  } catch {
    return new Date(at).toISOString();
  }
}

/** "3 of 10", or "3 of ?" while the list is not read yet. */
export function progress(done: number, total: number | null): string {
  return `${done} of ${total ?? '?'}`;
}

export function percent(done: number, total: number | null): number {
  if (total === null || total <= 0) return 0;
  return Math.min(100, Math.round((done * 100) / total));
}

/** "1 copied, 2 up to date, 1 skipped (platform), 1 failed" (zero counts left out but for copied); "no images" when all are zero. */
export function counts(run: { copied: number; upToDate: number; failed: number; cancelled: number; skipped?: number }): string {
  const parts = [
    [run.copied, 'copied'],
    [run.upToDate, 'up to date'],
    [run.skipped ?? 0, 'skipped (platform)'],
    [run.failed, 'failed'],
    [run.cancelled, 'cancelled'],
  ] as const;
  const shown = parts.filter(([n], i) => n > 0 || i === 0);
  return parts.every(([n]) => n === 0) ? 'no images' : shown.map(([n, what]) => `${n} ${what}`).join(', ');
}
