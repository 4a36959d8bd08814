// The bounds and defaults the config schema holds values to.

// Upper bounds keep every duration inside what a Node timer can hold (2^31-1 ms, ~24.8 days;
// beyond it setTimeout fires at once) and reject YAML's .inf / 1e400 (Infinity).
export const MAX_SCRIPT_TIMEOUT_SECONDS = 86_400;
export const MAX_GRACE_PERIOD_SECONDS = 3_600;
export const MAX_RETENTION_DAYS = 3_650;
export const MAX_CONCURRENCY = 1_000;
// Syncer script output is read line by line and kept until the script ends: caps bound the memory
// a runaway script can take (a reference is at most a few hundred bytes).
export const DEFAULT_SCRIPT_MAX_LINE_BYTES = 8_192;
export const MAX_SCRIPT_MAX_LINE_BYTES = 1_048_576;
export const DEFAULT_SCRIPT_MAX_LINES = 100_000;
export const MAX_SCRIPT_MAX_LINES = 1_000_000;
export const MAX_TIMEOUT_SECONDS = 86_400;
export const MAX_BLOB_MIN_BYTES = 1024 ** 3;
export const MAX_RETRY_PASSES = 100;
export const MAX_STALLED_SECONDS = 3_600;
