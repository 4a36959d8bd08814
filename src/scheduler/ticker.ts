import { Cron } from 'croner';

/** Something that calls back on a schedule. The scheduler only needs these two operations. */
export interface Ticker {
  nextRun(): Date | null;
  stop(): void;
}

/**
 * Makes the ticker of one schedule; tests pass their own to fire ticks by hand. `onTick` gets the
 * time the tick was planned for (the same on every server with the same schedule, unlike the time it fired).
 */
export type TickerFactory = (pattern: string, timezone: string, onTick: (scheduledAt?: number) => void) => Ticker;

/** The real ticker: croner does the parsing and the timing, in the configured timezone. */
export const cronTicker: TickerFactory = (pattern, timezone, onTick) => {
  let planned: Date | null = null;
  const job = new Cron(pattern.trim(), { timezone }, () => {
    const scheduledAt = planned?.getTime();
    planned = job.nextRun();
    onTick(scheduledAt);
  });
  planned = job.nextRun();
  return { nextRun: () => job.nextRun(), stop: () => job.stop() };
};
