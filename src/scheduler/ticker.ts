import { Cron } from 'croner';

/** Something that calls back on a schedule. The scheduler only needs these two operations. */
export interface Ticker {
  nextRun(): Date | null;
  stop(): void;
}

/** Makes the ticker of one schedule; tests pass their own to fire ticks by hand. */
export type TickerFactory = (pattern: string, timezone: string, onTick: () => void) => Ticker;

/** The real ticker: croner does the parsing and the timing, in the configured timezone. */
export const cronTicker: TickerFactory = (pattern, timezone, onTick) => {
  const job = new Cron(pattern.trim(), { timezone }, () => onTick());
  return { nextRun: () => job.nextRun(), stop: () => job.stop() };
};
