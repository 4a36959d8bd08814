/**
 * Wall-clock milliseconds to the microsecond: when the process started (`performance.timeOrigin`,
 * read to the microsecond) plus the monotonic clock since, which the kernel slews with the wall
 * clock and only a clock step sets apart. `Date.now()` moves in 1 ms steps, as large as one of the
 * queue's hops between processes (1 to 3 ms each on loopback), so the events that time a job in the
 * queue carry this too: one machine's processes read the same clock, to a few microseconds.
 */
export function preciseNow(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
}
