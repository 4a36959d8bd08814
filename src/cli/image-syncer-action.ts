import { closeSync, openSync, writeSync } from 'node:fs';
import { CopyEngine } from '../copy/index.js';
import { createReporter } from '../display/index.js';
import { errorMessage, PictureBookError } from '../errors/index.js';
import { processScrubber } from '../errors/secret-scrubber.js';
import { loadSyncerFiles } from '../image-syncer/load-files.js';
import { platformsOf } from '../image-syncer/platforms.js';
import { parseRegistryHost } from '../reference/index.js';
import { runToEnd } from './load-action.js';
import { tuneForOneShotRun } from './one-shot-runtime.js';

export interface ImageSyncerFlags {
  config?: string;
  auth?: string;
  images?: string;
  log?: string;
  registry?: string;
  proc: number;
  retries: number;
  os?: string[];
  arch?: string[];
  force?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  logFormat: 'text' | 'json';
}

/** `--registry`, else `DEFAULT_REGISTRY` (the flag wins, as in image-syncer), normalised; a bad one names where it came from. */
export function defaultRegistry(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const [value, from] = flag !== undefined ? [flag, '--registry'] : [env.DEFAULT_REGISTRY, 'DEFAULT_REGISTRY'];
  if (value === undefined || value.trim() === '') return undefined;
  try {
    return parseRegistryHost(value.trim());
  } catch (error) {
    throw new PictureBookError('USAGE', `${from}: ${errorMessage(error)}`);
  }
}

/** `--log FILE`: appended to, written synchronously (nothing is lost when the process exits). */
function logFile(path: string): { write(s: string): boolean; close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (error) {
    throw new PictureBookError('USAGE', `--log: cannot open ${path}: ${errorMessage(error)}`);
  }
  return {
    write: (s) => {
      writeSync(fd, s);
      return true;
    },
    close: () => closeSync(fd),
  };
}

/**
 * `picture-book image-syncer`: image-syncer's files become picture-book registries and rules
 * (image-syncer/translate.ts), run as one `load` would run them, logging to stderr or `--log`.
 */
export async function runImageSyncerCommand(flags: ImageSyncerFlags): Promise<void> {
  tuneForOneShotRun();
  const plan = await loadSyncerFiles({
    auth: flags.auth,
    images: flags.images,
    config: flags.config,
    defaultRegistry: defaultRegistry(flags.registry, process.env),
    force: flags.force === true,
    retries: flags.retries,
    platforms: platformsOf(flags.os ?? [], flags.arch ?? []),
    cwd: process.cwd(),
    env: process.env,
  });
  processScrubber.addAll(plan.auth.filter((a) => a.password !== '').map((a) => ({ username: a.username, password: a.password })));
  const file = flags.log === undefined ? undefined : logFile(flags.log);
  const reporter = createReporter(flags.logFormat === 'json' ? 'json' : 'spinner', file ?? process.stderr, {
    verbose: flags.verbose === true,
  });
  const engine = new CopyEngine({ imageConcurrency: flags.proc, blobConcurrency: Math.max(16, flags.proc) });
  try {
    // A rule's list of destinations reads its source once for all of them (image-syncer's many-to-many).
    const dryRun = flags.dryRun === true;
    await runToEnd({ registries: plan.registries, reporter, engine, warnings: plan.warnings, dryRun, groupSources: true });
  } finally {
    file?.close();
  }
}
