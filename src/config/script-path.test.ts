import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeScript } from './script-path.js';

test('a script is described as written and as found, so errors say which file ran', () => {
  const cases = [
    [{ written: 'python3', path: '/usr/bin/python3', via: 'PATH' }, 'syncer script "python3" (found on PATH at /usr/bin/python3)'],
    [
      { written: './list.sh', path: '/etc/pb/list.sh', via: 'config-relative' },
      'syncer script "./list.sh" (relative to the config file: /etc/pb/list.sh)',
    ],
    [
      { written: 'list.sh', path: '/etc/pb/list.sh', via: 'config-fallback' },
      'syncer script "list.sh" (not on PATH; next to the config file: /etc/pb/list.sh)',
    ],
    [{ written: '/opt/list.sh', path: '/opt/list.sh', via: 'absolute' }, 'syncer script "/opt/list.sh"'],
  ] as const;
  for (const [script, expected] of cases) assert.equal(describeScript(script, script.path), expected);
  assert.equal(describeScript(undefined, '/opt/list.sh'), 'syncer script "/opt/list.sh"', 'a config built in code');
});
