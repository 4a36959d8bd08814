import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { minimalEnv, runTimed, type Measured } from './timed-process.js';

export const PICTURE_BOOK_CLI = fileURLToPath(new URL('../bin/picture-book.js', import.meta.url));

export interface PictureBookJob {
  /** Source registry host (or a counting proxy in front of it). */
  sourceHost: string;
  /** Target registry host; images land under `<targetHost>/mirror/...`. */
  targetHost: string;
  /** `repo:tag` paths on the source. */
  images: readonly string[];
  /** `concurrency:` of the config; absent = picture-book's defaults, what a user gets. */
  concurrency?: { images?: number | undefined; blobs?: number | undefined } | undefined;
  /** `referrers: false` on the registry entry: no signatures looked for, as `skopeo sync` copies none. */
  referrers?: false | undefined;
}

/** The config.yaml `load --all` reads: one target registry listing every image literally. */
export async function writePictureBookConfig(dir: string, name: string, job: PictureBookJob): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const config = {
    registries: [
      {
        hostname: job.targetHost,
        repository: 'mirror',
        images: job.images.map((path) => `${job.sourceHost}/${path}`),
        ...(job.referrers === false ? { referrers: false } : {}),
      },
    ],
    ...(job.concurrency?.images || job.concurrency?.blobs
      ? { concurrency: Object.fromEntries(Object.entries<number | undefined>(job.concurrency).filter(([, v]) => v !== undefined)) }
      : {}),
  };
  await writeFile(file, stringify(config));
  return file;
}

/** The benchmark's minimal environment (as skopeo's), and no credentials file. */
function benchEnv(): NodeJS.ProcessEnv {
  return { ...minimalEnv(tmpdir()), DOCKER_CONFIG: '/nonexistent' };
}

/**
 * `picture-book load --config FILE --all`, the way a user runs it (plain text output, not a TTY);
 * `cli` runs another build's bundle instead of this one's (`--baseline-cli`).
 */
export function runPictureBookLoad(
  config: string,
  timeoutMs: number,
  nodeFlags: readonly string[] = [],
  cli: string = PICTURE_BOOK_CLI,
): Promise<Measured> {
  return runTimed(process.execPath, [...nodeFlags, cli, 'load', '--config', config, '--all'], { timeoutMs, env: benchEnv() });
}

/** `picture-book copy SRC DST` for one image. */
export function runPictureBookCopy(source: string, target: string, timeoutMs: number): Promise<Measured> {
  return runTimed(process.execPath, [PICTURE_BOOK_CLI, 'copy', source, target], { timeoutMs, env: benchEnv() });
}
