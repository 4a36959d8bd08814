import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopyEngine, type CopyTask } from '../../src/copy/index.js';
import type { BuiltImage } from '../harness/index.js';

/** What the delta-bundle tests read of a layout, and how they copy into one. */

export const REF_NAME = 'org.opencontainers.image.ref.name';

/** One copy on an engine of its own; `finish` ends the writing run of that layout place (index.json, inventory). */
export async function copy(task: CopyTask, finish?: string) {
  const engine = new CopyEngine();
  try {
    const result = await engine.copy(task);
    if (finish) await engine.finish(finish);
    return result;
  } finally {
    await engine.close();
  }
}

/** `name digest` of every index.json entry, sorted. */
export const names = async (layout: string) =>
  (
    JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    }
  ).manifests
    .map((m) => `${m.annotations?.[REF_NAME]} ${m.digest}`)
    .sort();

/** The digests of the blobs a layout holds. */
export const carried = async (layout: string) => new Set((await readdir(join(layout, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`));

/** Every manifest and blob of a pushed image (an index's children too). */
export const everything = (image: BuiltImage): string[] => [
  image.digest,
  ...image.blobs.map((b) => b.digest),
  ...(image.children ?? []).flatMap(everything),
];
