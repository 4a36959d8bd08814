import type { PictureBookConfig } from '../config/index.js';
import { queueUrlProblem } from '../config/queue-url.js';
import { PictureBookError } from '../errors/index.js';
import type { QueueSettingsWithUrl } from '../queue/index.js';

/** `--queue URL`: a usage error naming the flag when it is no Redis URL (its text, a password maybe, is not quoted). */
export function checkQueueFlag(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const problem = queueUrlProblem(url);
  if (problem) throw new PictureBookError('USAGE', `--queue: ${problem}`);
  return url;
}

/** The queue to use: `--queue` wins over `queue.url` of the config; undefined when neither names one. */
export function queueSettings(config: PictureBookConfig, flag: string | undefined): QueueSettingsWithUrl | undefined {
  const url = flag ?? config.queue?.url;
  if (url === undefined) return undefined;
  return {
    name: config.queue?.name ?? 'picture-book',
    stalledSeconds: config.queue?.stalledSeconds ?? 30,
    ...(config.queue?.keyFile !== undefined ? { keyFile: config.queue.keyFile } : {}),
    url,
  };
}
