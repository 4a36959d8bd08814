import type { PictureBookConfig } from '../../config/index.js';
import type { CopyTask } from '../../copy/index.js';
import { processScrubber } from '../../errors/secret-scrubber.js';
import type { CopyJobData } from '../../queue/copy-job.js';
import { addressPolicy } from './address-policy.js';
import { openDistributeJob } from './queued-copy.js';

/**
 * What `picture-book worker` runs a distribute copy job with: its queue key opens the job's sealed
 * credentials, its own api.distributeAllowedNetworks says where the job may connect, and the
 * job's secrets are scrubbed from every line it logs until the copy ended.
 */
export function distributeJobOpener(
  config: () => PictureBookConfig,
  key: Buffer | undefined,
): (data: CopyJobData, signal: AbortSignal) => Promise<{ task: CopyTask; release: () => void }> {
  return async (data, signal) => {
    const held: Array<() => void> = [];
    const release = (): void => {
      for (const forget of held.splice(0)) forget();
    };
    try {
      const task = await openDistributeJob(data, key, {
        signal,
        policy: addressPolicy(config().api.distributeAllowedNetworks),
        keepSecret: (secret) => held.push(processScrubber.add(secret)),
        keepSecrets: (secrets) => held.push(processScrubber.addAll(secrets)),
      });
      return { task, release };
    } catch (error) {
      release();
      throw error;
    }
  };
}
