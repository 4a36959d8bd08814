/** The warning badges of a registry's row. Pure: what the API says about it, in words. */

/** From this many failed runs in a row, a registry's row warns. */
export const FAILED_STREAK_WARNING = 3;

export interface RowFacts {
  overdue: boolean;
  expectedTick: string | null;
  failedStreak: number;
}

export interface Warning {
  kind: 'overdue' | 'failing';
  text: string;
  /** The longer explanation (a tooltip). */
  detail: string;
}

export function rowWarnings(row: RowFacts): Warning[] {
  const warnings: Warning[] = [];
  if (row.overdue) {
    warnings.push({
      kind: 'overdue',
      text: 'overdue',
      detail: `a tick was due ${row.expectedTick ?? ''} and has not come: is the process suspended or stuck?`,
    });
  }
  if (row.failedStreak >= FAILED_STREAK_WARNING) {
    warnings.push({
      kind: 'failing',
      text: `last ${row.failedStreak} runs failed`,
      detail: `the newest ${row.failedStreak} runs all failed`,
    });
  }
  return warnings;
}
