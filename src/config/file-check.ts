import { accessSync, constants, statSync } from 'node:fs';
import { errorMessage } from '../errors/index.js';

/** Why a file named in the config cannot be used (missing, not a file, not readable/executable). */
export function checkFile(path: string, what: string, executable: boolean): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${what} is not a file: ${path}`;
    accessSync(path, executable ? constants.X_OK : constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return `${what} not found: ${path}`;
    if (code === 'EACCES') return `${what} is not ${executable ? 'executable' : 'readable'}: ${path}`;
    return `${what} cannot be used: ${path}: ${errorMessage(error)}`;
  }
}
