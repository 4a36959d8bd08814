import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScriptArgsError, splitScriptArgs } from './script-args.js';

const SPLIT: Array<[string, string[]]> = [
  [`one 'two words' "three" four\\ five`, ['one', 'two words', 'three', 'four five']],
  ['--literal ${NOT_EXPANDED}', ['--literal', '${NOT_EXPANDED}']],
  ['$HOME "$HOME" \'$HOME\'', ['$HOME', '$HOME', '$HOME']],
  ['"a \\"quoted\\" \\$x \\n"', ['a "quoted" $x \\n']],
  ['"" \'\' x', ['', '', 'x']],
  ['*.txt ~ {a,b} a=b', ['*.txt', '~', '{a,b}', 'a=b']],
  ['\'a;b\' "c|d" e\\;f', ['a;b', 'c|d', 'e;f']],
  ['  spaced\tout\n  ', ['spaced', 'out']],
  ['mid#hash', ['mid#hash']],
];

for (const [input, words] of SPLIT) {
  test(`splits ${JSON.stringify(input)}`, () => assert.deepEqual(splitScriptArgs(input), words));
}

const REFUSED: Array<[string, RegExp]> = [
  ['a; rm -rf /', /^shell operator ";" at character 2 is not allowed: the script runs without a shell/],
  ['a | b', /^shell operator "\|" at character 3/],
  ['a && b', /^shell operator "&&" at character 3/],
  ['a || b', /^shell operator "\|\|"/],
  ['a & ', /^shell operator "&"/],
  ['a > out', /^shell operator ">" at character 3/],
  ['a 2>&1', /^shell operator ">&"/],
  ['a >> out', /^shell operator ">>"/],
  ['a < in', /^shell operator "<"/],
  ['a <(x)', /^shell operator "<\("/],
  ['(a)', /^shell operator "\("/],
  ['a `id`', /^command substitution "`" at character 3/],
  ['a $(id)', /^command substitution "\$\(" at character 3/],
  ['a "x $(id)"', /^command substitution "\$\(" at character 6/],
  ['a "`id`"', /^command substitution "`"/],
  ['a $((1+1))', /^command substitution "\$\("/],
  ['a # comment', /^a comment \("#"\) at character 3/],
  ["a 'open", /^unterminated single quote at character 3$/],
  ['a "open', /^unterminated double quote at character 3$/],
];

for (const [input, message] of REFUSED) {
  test(`refuses ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => splitScriptArgs(input),
      (error: unknown) => {
        assert.ok(error instanceof ScriptArgsError);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}
