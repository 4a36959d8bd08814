import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skopeoListTags, type TestRegistry } from '../harness/index.js';

/** Helpers of the image-syncer end-to-end suites. */

/** A directory under `dir` holding `files` (name -> text). */
export async function workDir(dir: string, name: string, files: Record<string, string>): Promise<string> {
  const work = join(dir, name);
  await mkdir(work);
  await Promise.all(Object.entries(files).map(([file, text]) => writeFile(join(work, file), text)));
  return work;
}

/** The tags skopeo lists, sorted; none for a repository that does not exist. */
export async function tags(registry: TestRegistry, repository: string): Promise<string[]> {
  try {
    return (await skopeoListTags(`${registry.host}/${repository}`, registry)).sort();
  } catch {
    return [];
  }
}
