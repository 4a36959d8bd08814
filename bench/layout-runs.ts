import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { runPictureBookLoad } from './picture-book-run.js';
import type { SkopeoHome } from './skopeo-run.js';
import { settleDisk } from './target-reset.js';
import { runTimed, type Measured } from './timed-process.js';

/** `load --all` of a config whose one registry entry is the layout `oci:DIR`: images named `repo:tag` there. */
export async function writeLayoutConfig(
  work: string,
  name: string,
  sourceHost: string,
  layout: string,
  images: readonly string[],
): Promise<string> {
  const file = join(work, `${name}.yaml`);
  await writeFile(file, stringify({ registries: [{ hostname: `oci:${layout}`, images: images.map((path) => `${sourceHost}/${path}`) }] }));
  return file;
}

/** An empty place for a layout (writable by skopeo, which may run as nobody), the disk flushed. */
export async function emptyLayoutDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777);
  await settleDisk();
}

/** One export by picture-book: `load --all` into the layout. */
export function pictureBookExport(config: string, timeoutMs: number): Promise<Measured> {
  return runPictureBookLoad(config, timeoutMs);
}

/**
 * `skopeo copy --all docker://SRC/repo:tag oci:DIR:repo:tag` for each image, one after another, as
 * a user of skopeo exports a list (its `sync` cannot write a layout). Wall time: the whole sequence,
 * process starts included; peak RSS: the highest of the processes.
 */
export async function skopeoExport(
  home: SkopeoHome,
  sourceHost: string,
  layout: string,
  images: readonly string[],
  timeoutMs: number,
): Promise<Measured> {
  const started = performance.now();
  let peakRssKiB = 0;
  for (const path of images) {
    const { cmd, args, env } = home.command([
      '--policy',
      home.policy,
      'copy',
      '--all',
      '--quiet',
      '--src-tls-verify=false',
      `docker://${sourceHost}/${path}`,
      `oci:${layout}:${path}`,
    ]);
    const one = await runTimed(cmd, args, { env, timeoutMs });
    peakRssKiB = Math.max(peakRssKiB, one.peakRssKiB);
  }
  return { wallMs: performance.now() - started, peakRssKiB, stdoutTail: '', stderrTail: '' };
}

/** Throws unless the layout's index.json names exactly `images`: a run that skipped one must not count. */
export async function assertLayoutHolds(layout: string, images: readonly string[], who: string): Promise<void> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
    manifests: Array<{ annotations?: Record<string, string> }>;
  };
  const names = new Set(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']));
  const missing = images.filter((path) => !names.has(path));
  if (missing.length > 0 || names.size !== images.length) {
    throw new Error(
      `${who}: ${layout}/index.json names ${names.size} images, expected ${images.length} (missing: ${missing.slice(0, 5).join(', ')})`,
    );
  }
}
