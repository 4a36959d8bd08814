import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { checkFile } from './file-check.js';
import type { ScriptLookup } from './types.js';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `syncerScript` is, as a shell would find a command: a name with a `/` is a path (relative
 * ones from the config file's directory, not the working directory: the config must mean the same
 * wherever picture-book starts), a bare name is looked up on PATH. The seed's sample names its
 * script bare (`test.sh`) and keeps it next to config.yaml, so a bare name not on PATH is then
 * looked for there. Errors and messages say which was used.
 */
export function locateScript(written: string, configDir: string, path: string | undefined): { lookup: ScriptLookup; problem?: string } {
  if (written.includes('/')) {
    const absolute = isAbsolute(written);
    const found = absolute ? written : resolve(configDir, written);
    const problem = checkFile(found, 'syncer script', true);
    return { lookup: { written, path: found, via: absolute ? 'absolute' : 'config-relative' }, ...(problem ? { problem } : {}) };
  }
  const dirs = (path ?? '').split(delimiter).filter((dir) => isAbsolute(dir));
  for (const dir of dirs) {
    const candidate = join(dir, written);
    if (isExecutableFile(candidate)) return { lookup: { written, path: candidate, via: 'PATH' } };
  }
  const nextToConfig = resolve(configDir, written);
  const problem = checkFile(nextToConfig, 'syncer script', true);
  if (problem?.startsWith('syncer script not found')) {
    return {
      lookup: { written, path: nextToConfig, via: 'config-fallback' },
      problem: `syncer script "${written}" not found on PATH nor next to the config file (${nextToConfig})`,
    };
  }
  return { lookup: { written, path: nextToConfig, via: 'config-fallback' }, ...(problem ? { problem } : {}) };
}

/** `syncer script "python3" (found on PATH at /usr/bin/python3)`: what was written, and what ran. */
export function describeScript(lookup: ScriptLookup | undefined, path: string): string {
  if (!lookup) return `syncer script "${path}"`;
  const shown = `syncer script "${lookup.written}"`;
  switch (lookup.via) {
    case 'absolute':
      return shown;
    case 'PATH':
      return `${shown} (found on PATH at ${lookup.path})`;
    case 'config-relative':
      return `${shown} (relative to the config file: ${lookup.path})`;
    case 'config-fallback':
      return `${shown} (not on PATH; next to the config file: ${lookup.path})`;
  }
}
