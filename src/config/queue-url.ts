/** Why `queue.url` (or `--queue`) is not a Redis address, or undefined when it is one. */
export function queueUrlProblem(text: string): string | undefined {
  const example = '(e.g. redis://127.0.0.1:6379, rediss://:PASSWORD@redis.example:6380/2)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not a URL: expected redis://HOST:PORT ${example}`;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `must start with redis:// or rediss:// ${example}`;
  if (url.hostname === '') return `names no host ${example}`;
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) return `the path is the database number (0-15), not "${url.pathname}"`;
  return undefined;
}
