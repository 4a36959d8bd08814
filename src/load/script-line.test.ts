import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScriptLine } from './syncer-script.js';

// A syncer script line is echoed as `text` (plain and JSON logs, the run summary, the server log)
// and its error as `message`: neither may carry a password written into the line.
const lines: Array<[string, string, RegExp]> = [
  [
    'https://tester:Pw1@127.0.0.1:5000/library/app:v1',
    'https://tester:***@127.0.0.1:5000/library/app:v1',
    /credentials do not belong in a reference.*drop "https:\/\/"$/,
  ],
  ['  tester:Pw1@reg.example/team/app:v1  ', 'tester:***@reg.example/team/app:v1', /credentials do not belong in a reference/],
  ['https://reg.example/team/app:v1', 'https://reg.example/team/app:v1', /scheme "https:\/\/" does not belong in a reference: drop it$/],
];

for (const [input, text, reason] of lines) {
  test(`syncer line ${text}: reported as what it is, password masked`, () => {
    const entry = parseScriptLine(input, 3);
    assert.equal(entry?.kind, 'invalid');
    assert.equal(entry.line, 3);
    assert.equal(entry.text, text);
    const error = entry.error;
    assert.match(error, reason);
    assert.equal(`${entry.text} ${error}`.includes('Pw1'), false, 'the password is echoed');
  });
}

test('a syncer line may opt in to many tags: repo:* and repo:/regex/ are rules labelled with their line; a plain reference is one image', () => {
  const all = parseScriptLine('reg.example/team/app:*', 4);
  assert.equal(all?.kind === 'image' && all.entry.kind === 'rule' && all.entry.rule.label, 'syncer script line 4');
  assert.deepEqual(all?.kind === 'image' && all.entry.kind === 'rule' && all.entry.rule.source, {
    kind: 'repository',
    registry: 'reg.example',
    repository: 'team/app',
  });
  const some = parseScriptLine('reg.example/team/app:/v1\\..*/', 5);
  assert.deepEqual(some?.kind === 'image' && some.entry.kind === 'rule' && some.entry.rule.spec.tags, { include: ['v1\\..*'] });
  const plain = parseScriptLine('reg.example/team/app', 6);
  assert.equal(plain?.kind === 'image' && plain.entry.kind === 'reference' && plain.entry.reference.identifier, 'latest');
});

test('a bad tag regex on a syncer line is reported once, without quoting the line again', () => {
  const entry = parseScriptLine('reg.example/team/app:/v1(/', 7);
  assert.equal(entry?.kind, 'invalid');
  assert.equal(entry.text, 'reg.example/team/app:/v1(/');
  assert.match(entry.error, /^invalid image: invalid regular expression "v1\(": Unterminated group$/);
  assert.equal(entry.error.includes('reg.example'), false);
});
