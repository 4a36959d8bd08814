import { createHash } from 'node:crypto';
import type { CopyJobData } from './copy-job.js';

/**
 * The de-duplication id of a copy: its registry entry, source and target. While one such job is
 * queued or running, adding it again (another run, another `sync` server) adds nothing: the second
 * caller follows the first job to its end.
 */
export function deduplicationId(data: CopyJobData): string {
  const platforms = [...(data.platforms ?? []), ...(data.missingPlatforms ? [`missing:${data.missingPlatforms}`] : [])].sort().join(',');
  const key = [data.registry, data.source, data.target, platforms, data.force === true ? 'force' : ''].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
