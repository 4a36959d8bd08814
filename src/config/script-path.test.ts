import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeScript } from './script-path.js';

test('a script is described as written and as found, so errors say which file ran', () => {
  assert.equal(
    describeScript({ written: 'python3', path: '/usr/bin/python3', via: 'PATH' }, '/usr/bin/python3'),
    'syncer script "python3" (found on PATH at /usr/bin/python3)',
  );
  assert.equal(
    describeScript({ written: './list.sh', path: '/etc/pb/list.sh', via: 'config-relative' }, '/etc/pb/list.sh'),
    'syncer script "./list.sh" (relative to the config file: /etc/pb/list.sh)',
  );
  assert.equal(
    describeScript({ written: 'list.sh', path: '/etc/pb/list.sh', via: 'config-fallback' }, '/etc/pb/list.sh'),
    'syncer script "list.sh" (not on PATH; next to the config file: /etc/pb/list.sh)',
  );
  assert.equal(
    describeScript({ written: '/opt/list.sh', path: '/opt/list.sh', via: 'absolute' }, '/opt/list.sh'),
    'syncer script "/opt/list.sh"',
  );
  assert.equal(describeScript(undefined, '/opt/list.sh'), 'syncer script "/opt/list.sh"', 'a config built in code');
});
