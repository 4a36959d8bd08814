import type { JobState } from 'bullmq';
import type { Redis } from 'ioredis';

/** Job ids per lookup: one Lua call holds Redis for its whole length, so a long list goes in several (sent at once). */
const IDS_PER_CALL = 500;
/** The keys BullMQ's own state lookup reads, in its order (KEYS[1..8] below). */
const STATE_KEYS = ['completed', 'failed', 'delayed', 'active', 'wait', 'paused', 'waiting-children', 'prioritized'] as const;

// BullMQ's getStateV2 (Redis >= 6.0.6: LPOS), the same tests in the same order, for every id in ARGV.
const STATES = `
local states = {}
for i, id in ipairs(ARGV) do
  local state = 'unknown'
  if redis.call('ZSCORE', KEYS[1], id) then state = 'completed'
  elseif redis.call('ZSCORE', KEYS[2], id) then state = 'failed'
  elseif redis.call('ZSCORE', KEYS[3], id) then state = 'delayed'
  elseif redis.call('ZSCORE', KEYS[8], id) then state = 'prioritized'
  elseif redis.call('LPOS', KEYS[4], id) then state = 'active'
  elseif redis.call('LPOS', KEYS[5], id) or redis.call('LPOS', KEYS[6], id) then state = 'waiting'
  elseif redis.call('ZSCORE', KEYS[7], id) then state = 'waiting-children'
  end
  states[i] = state
end
return states`;

/**
 * The state of each job (what `queue.getJobState` answers, `unknown` for a job Redis does not hold),
 * in `ids`' order, in one round trip for up to IDS_PER_CALL ids instead of one per job. `toKey`: the
 * queue's own key names (`Queue.toKey`).
 */
export async function jobStates(
  redis: Redis,
  toKey: (type: string) => string,
  ids: readonly string[],
): Promise<Array<JobState | 'unknown'>> {
  const keys = STATE_KEYS.map((type) => toKey(type));
  const calls: Array<Promise<unknown>> = [];
  for (let at = 0; at < ids.length; at += IDS_PER_CALL)
    calls.push(redis.eval(STATES, keys.length, ...keys, ...ids.slice(at, at + IDS_PER_CALL)));
  return (await Promise.all(calls)).flat() as Array<JobState | 'unknown'>;
}
