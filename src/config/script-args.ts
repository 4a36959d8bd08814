import { PictureBookError } from '../errors/index.js';

/**
 * `syncerScriptArgs` split into words the way a POSIX shell splits them (single quotes, double
 * quotes, backslash escapes), without running a shell. `$` is always literal: `${VAR}` was already
 * expanded when the config was loaded, and what survives (`$${X}` written in the file, `$HOME`) is
 * meant as text. Anything a shell would run or redirect instead of passing it on is refused: the
 * user expects it to work, and without a shell it cannot.
 */
export class ScriptArgsError extends PictureBookError {
  /** 0-based offset in the value where the problem is. */
  readonly index: number;

  constructor(message: string, index: number) {
    super('SCRIPT_ARGS_INVALID', message);
    this.index = index;
  }
}

// Longest first, so `&&` is named rather than `&`.
const OPERATORS = ['&&', '||', ';;', '>>', '>&', '<&', '<<', '<(', '>(', '>|', '|&', ';', '&', '|', '<', '>', '(', ')'];
const BLANK = /[ \t\r\n]/;

function refuse(what: string, index: number): never {
  throw new ScriptArgsError(
    `${what} at character ${index + 1} is not allowed: the script runs without a shell (quote it to pass it as text)`,
    index,
  );
}

/** Throws ScriptArgsError naming the first shell construct it cannot honour. */
export function splitScriptArgs(value: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const add = (text: string) => {
    word = (word ?? '') + text;
  };
  while (i < value.length) {
    const c = value[i] ?? '';
    if (BLANK.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = value.indexOf("'", i + 1);
      if (end < 0) throw new ScriptArgsError(`unterminated single quote at character ${i + 1}`, i);
      add(value.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      i = doubleQuoted(value, i, add);
    } else if (c === '\\') {
      // A backslash-newline is a line continuation; any other character is taken as it is.
      const next = value[i + 1];
      if (next === undefined) add('\\');
      else if (next !== '\n') add(next);
      i += 2;
    } else if (c === '`' || (c === '$' && value[i + 1] === '(')) {
      refuse(`command substitution ${JSON.stringify(c === '`' ? '`' : '$(')}`, i);
    } else if (c === '#' && word === undefined) {
      refuse('a comment ("#")', i);
    } else {
      const op = OPERATORS.find((o) => value.startsWith(o, i));
      if (op) refuse(`shell operator ${JSON.stringify(op)}`, i);
      add(c);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Reads `"..."` from `start`; returns the index after the closing quote. */
function doubleQuoted(value: string, start: number, add: (text: string) => void): number {
  let i = start + 1;
  // `add('')` first: `""` is an empty word, as in a shell.
  add('');
  while (i < value.length) {
    const c = value[i] ?? '';
    if (c === '"') return i + 1;
    if (c === '\\') {
      const next = value[i + 1];
      // Inside double quotes a backslash escapes only these; before anything else it stays.
      if (next !== undefined && '$`"\\\n'.includes(next)) {
        if (next !== '\n') add(next);
        i += 2;
        continue;
      }
      add('\\');
      i++;
      continue;
    }
    if (c === '`' || (c === '$' && value[i + 1] === '(')) refuse(`command substitution ${JSON.stringify(c === '`' ? '`' : '$(')}`, i);
    add(c);
    i++;
  }
  throw new ScriptArgsError(`unterminated double quote at character ${start + 1}`, start);
}
