import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRepositoryFilter, filterRepositories } from './repository-filter.js';
import { RuleError } from './rule-error.js';

const CATALOG = ['team/app', 'team/sub/tool', 'team/app-debug', 'teamwork/app', 'other/app', 'team'];

test('a namespace keeps what is under it, at any depth, and nothing that merely starts with its name', () => {
  const { kept, dropped } = filterRepositories(CATALOG, 'team', compileRepositoryFilter());
  assert.deepEqual(kept, ['team/app', 'team/sub/tool', 'team/app-debug']);
  assert.deepEqual(dropped, [], "entries outside the namespace are not the rule's, so not reported");
});

test('a registry rule (no namespace) keeps every entry', () => {
  assert.deepEqual(filterRepositories(CATALOG, undefined, compileRepositoryFilter()).kept, CATALOG);
});

test('include and exclude match the whole path and say why an entry was dropped', () => {
  const filter = compileRepositoryFilter({ include: ['team/.*', 'other/app'], exclude: ['.*-debug'] });
  const { kept, dropped } = filterRepositories(CATALOG, undefined, filter);
  assert.deepEqual(kept, ['team/app', 'team/sub/tool', 'other/app']);
  assert.deepEqual(dropped, [
    { repository: 'team/app-debug', filter: 'exclude', reason: 'matches exclude ".*-debug"' },
    { repository: 'teamwork/app', filter: 'include', reason: 'matches no include pattern' },
    { repository: 'team', filter: 'include', reason: 'matches no include pattern' },
  ]);
  // Anchored: "app" alone matches no path with a namespace.
  assert.deepEqual(filterRepositories(CATALOG, undefined, compileRepositoryFilter({ include: ['app'] })).kept, []);
});

test('a bad pattern is a RuleError at repositories.include[i]', () => {
  assert.throws(
    () => compileRepositoryFilter({ include: ['ok', '(x'] }),
    (error: unknown) => {
      assert.ok(error instanceof RuleError);
      assert.deepEqual(error.field, ['repositories', 'include', 1]);
      return true;
    },
  );
});
