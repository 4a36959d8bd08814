import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DroppedImage, RuleExpansion } from '../select/index.js';
import { allTagsRule } from './tag-filter-flags.js';
import { selectionNote } from './tag-selection-note.js';

const drop = (tag: string, filter: DroppedImage['filter'], reason: string): DroppedImage => ({
  tag,
  filter,
  reason,
  registry: 'src:5000',
  repository: 'team/app',
});

function expansion(dropped: DroppedImage[]): RuleExpansion {
  return {
    rule: allTagsRule('src:5000/team/app', { include: [], exclude: [], platform: [] }),
    images: [{ source: 'src:5000/team/app:v3.0.0', target: 'dst:5000/team/app:v3.0.0', rule: 'copy --all-tags' }],
    repositories: [{ registry: 'src:5000', repository: 'team/app', listed: 1 + dropped.length, kept: ['v3.0.0'] }],
    droppedRepositories: [],
    dropped,
    problems: [],
  };
}

// select hands the dropped tags over in name order; the note says them flag by flag, as the filters apply.
const inNameOrder = [
  drop('alpha', 'semver', 'not a semantic version'),
  drop('beta', 'exclude', 'matches exclude "beta"'),
  drop('v1.0.0', 'latest', 'not among the 1 highest versions'),
  drop('v2.0.0', 'latest', 'not among the 1 highest versions'),
  drop('zeta', 'exclude', 'matches exclude "zeta"'),
];

test('counts per flag in the order the filters apply; -v names each dropped tag, grouped the same way', () => {
  assert.deepEqual(selectionNote(expansion(inNameOrder), true), [
    'src:5000/team/app: 6 tags listed, 1 selected, 5 dropped (2 by --exclude, 1 by --semver, 2 by --latest)',
    '  dropped beta by --exclude: matches exclude "beta"',
    '  dropped zeta by --exclude: matches exclude "zeta"',
    '  dropped alpha by --semver: not a semantic version',
    '  dropped v1.0.0 by --latest: not among the 1 highest versions',
    '  dropped v2.0.0 by --latest: not among the 1 highest versions',
  ]);
});

test('without -v only the counts; nothing dropped, no parenthesis', () => {
  assert.deepEqual(selectionNote(expansion(inNameOrder), false), [
    'src:5000/team/app: 6 tags listed, 1 selected, 5 dropped (2 by --exclude, 1 by --semver, 2 by --latest)',
  ]);
  assert.deepEqual(selectionNote(expansion([]), true), ['src:5000/team/app: 1 tag listed, 1 selected']);
});
