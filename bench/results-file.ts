import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Writes one run's figures as JSON (with the printed table, line by line); returns the absolute path. */
export async function writeResultsFile(
  out: string,
  results: object,
  targets: readonly object[] | undefined,
  text: string,
): Promise<string> {
  const file = resolve(out);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ ...results, ...(targets ? { targets } : {}), table: text.split('\n') }, null, 2)}\n`);
  return file;
}
