import { Cron } from 'croner';

/** Something that calls back on a schedule. The scheduler only needs these two operations. */
export interface Ticker {
  nextRun(): Date | null;
  stop(): void;
}

/** Makes the ticker of one schedule; tests pass their own to fire ticks by hand. */
export type TickerFactory = (pattern: string, timezone: string, onTick: () => void) => Ticker;

/** Why a cron pattern cannot be used, or undefined when it can. Both 5 and 6 (with seconds) fields. */
export function scheduleProblem(pattern: string, timezone: string): string | undefined {
  const trimmed = pattern.trim();
  const fields = trimmed.split(/\s+/).length;
  if (!trimmed.startsWith('@') && fields !== 5 && fields !== 6) {
    return `"${pattern}" has ${fields} fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)`;
  }
  try {
    const probe = new Cron(trimmed, { timezone, paused: true });
    const next = probe.nextRun();
    probe.stop();
    return next ? undefined : `"${pattern}" never fires`;
  } catch (error) {
    return `"${pattern}" (timezone ${timezone}) is not a valid schedule: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The real ticker: croner does the parsing and the timing, in the configured timezone. */
export const cronTicker: TickerFactory = (pattern, timezone, onTick) => {
  const job = new Cron(pattern.trim(), { timezone }, () => onTick());
  return { nextRun: () => job.nextRun(), stop: () => job.stop() };
};
