import cronstrue from 'cronstrue';

/**
 * A cron schedule (5 fields, or 6 with seconds, as croner reads them) in words, with the timezone it
 * is read in: "Every 10 seconds", "At 03:00, Monday through Friday (Europe/Berlin)". A pattern the
 * describer cannot read is shown as written.
 */
export function scheduleInWords(pattern: string | undefined, timezone: string): string {
  if (pattern === undefined) return 'No schedule: runs at start and on demand';
  let words: string;
  try {
    words = cronstrue.toString(pattern.trim(), { use24HourTimeFormat: true, verbose: false, throwExceptionOnParseError: true });
  } catch {
    return `cron "${pattern}" (${timezone})`;
  }
  // Intervals of seconds or minutes read the same in every timezone.
  return /^Every (\d+ )?(second|minute)s?$/.test(words) ? words : `${words} (${timezone})`;
}
