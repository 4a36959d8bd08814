import { parse } from 'shell-quote';
import { PictureBookError } from '../errors/index.js';

/**
 * Splits `syncerScriptArgs` the way a POSIX shell would (quotes and escapes honoured) without
 * running a shell: operators such as `|`, `;` or `>` are refused instead of being interpreted.
 */
export function splitArgs(value: string): string[] {
  const out: string[] = [];
  // Keep `$VAR` literal: config values were already expanded from the environment on load.
  for (const token of parse(value, (name) => `$${name}`)) {
    if (typeof token === 'string') out.push(token);
    else if ('op' in token && token.op === 'glob') out.push(token.pattern);
    else throw new PictureBookError('SCRIPT_ARGS_INVALID', `syncerScriptArgs: shell operator ${JSON.stringify('op' in token ? token.op : token)} is not allowed (the script runs without a shell)`);
  }
  return out;
}
