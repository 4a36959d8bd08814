/**
 * The values a `before` hook sets, as an `after` hook must read them: node:test runs `after` even when
 * `before` (or the test that starts something) threw part-way, and then what never started is still
 * undefined, whatever the variable's declared type says. `started.source?.stop()` skips it, and the rest
 * still stop (a registry left running would keep the test file from exiting).
 */
export function startedSoFar<T extends object>(values: T): Partial<T> {
  return values;
}
