import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleError } from './rule-error.js';
import { compileTagFilter, filterTags, type TagFilterSpec } from './tag-filter.js';

const TAGS = ['latest', 'v3.4.0', 'v3.5.0', 'v3.5.1', 'v3.5.2-rc.1', 'v3.6.0', '3.5', 'v4.0.0', 'v3.5.1-alpine', 'main'];

function select(spec: TagFilterSpec, tags = TAGS): { kept: string[]; dropped: Record<string, string> } {
  const result = filterTags(tags, compileTagFilter(spec));
  return { kept: result.kept, dropped: Object.fromEntries(result.dropped.map((d) => [d.tag, `${d.filter}: ${d.reason}`])) };
}

test('no filter keeps every tag, de-duplicated, in name order', () => {
  assert.deepEqual(select({}, ['b', 'a', 'b']).kept, ['a', 'b']);
  assert.deepEqual(select({}).dropped, {});
});

test('include alone keeps whole-tag matches and says why the others went', () => {
  const { kept, dropped } = select({ include: ['v3\\.5\\..*', 'latest'] });
  assert.deepEqual(kept, ['latest', 'v3.5.0', 'v3.5.1', 'v3.5.1-alpine', 'v3.5.2-rc.1']);
  assert.equal(dropped['v3.6.0'], 'include: matches no include pattern');
  assert.equal(dropped['3.5'], 'include: matches no include pattern');
  assert.equal(Object.keys(dropped).length, TAGS.length - kept.length);
});

test('exclude alone names the pattern that dropped each tag', () => {
  const { kept, dropped } = select({ exclude: ['.*-rc\\..*', '.*-alpine', 'main'] });
  assert.deepEqual(kept, ['3.5', 'latest', 'v3.4.0', 'v3.5.0', 'v3.5.1', 'v3.6.0', 'v4.0.0']);
  assert.deepEqual(dropped, {
    'v3.5.2-rc.1': 'exclude: matches exclude ".*-rc\\\\..*"',
    'v3.5.1-alpine': 'exclude: matches exclude ".*-alpine"',
    main: 'exclude: matches exclude "main"',
  });
});

test('semver alone: non-versions and prereleases never match', () => {
  const { kept, dropped } = select({ semver: '>=3.5 <4' });
  assert.deepEqual(kept, ['v3.5.0', 'v3.5.1', 'v3.6.0']);
  assert.equal(dropped.latest, 'semver: not a semantic version');
  assert.equal(dropped['3.5'], 'semver: not a semantic version');
  assert.equal(dropped['v4.0.0'], 'semver: outside ">=3.5 <4"');
  assert.equal(dropped['v3.5.2-rc.1'], 'semver: outside ">=3.5 <4"');
  assert.equal(dropped['v3.5.1-alpine'], 'semver: outside ">=3.5 <4"');
});

test('latest alone: the N highest versions (a prerelease ranks below its own release only); non-versions never count', () => {
  const { kept, dropped } = select({ latest: 3 });
  assert.deepEqual(kept, ['v3.5.2-rc.1', 'v3.6.0', 'v4.0.0']);
  assert.equal(dropped.latest, 'latest: not a semantic version');
  assert.equal(dropped['v3.5.1'], 'latest: not among the 3 highest versions');
  // semver "*" keeps releases only, so latest then counts releases.
  assert.deepEqual(select({ semver: '*', latest: 3 }).kept, ['v3.5.1', 'v3.6.0', 'v4.0.0']);
  assert.deepEqual(select({ latest: 100 }).kept, ['v3.4.0', 'v3.5.0', 'v3.5.1', 'v3.5.1-alpine', 'v3.5.2-rc.1', 'v3.6.0', 'v4.0.0']);
});

test('latest breaks ties between equal versions by name', () => {
  assert.deepEqual(select({ latest: 1 }, ['v2.0.0', '2.0.0', '1.0.0']).kept, ['2.0.0']);
  assert.deepEqual(select({ latest: 2 }, ['v2.0.0', '2.0.0', '1.0.0']).kept, ['2.0.0', 'v2.0.0']);
});

test('filters combine in order include, exclude, semver, latest; each dropped tag names the first filter that dropped it', () => {
  const { kept, dropped } = select({ include: ['v.*'], exclude: ['.*-alpine'], semver: '>=3.5', latest: 2 });
  assert.deepEqual(kept, ['v3.6.0', 'v4.0.0']);
  assert.deepEqual(dropped, {
    latest: 'include: matches no include pattern',
    main: 'include: matches no include pattern',
    '3.5': 'include: matches no include pattern',
    'v3.5.1-alpine': 'exclude: matches exclude ".*-alpine"',
    'v3.4.0': 'semver: outside ">=3.5"',
    'v3.5.2-rc.1': 'semver: outside ">=3.5"',
    'v3.5.0': 'latest: not among the 2 highest versions',
    'v3.5.1': 'latest: not among the 2 highest versions',
  });
});

test('latest counts only what the earlier filters kept', () => {
  assert.deepEqual(select({ exclude: ['v4.*'], latest: 1 }).kept, ['v3.6.0']);
});

test('an empty selection is an empty list, not an error', () => {
  assert.deepEqual(select({ include: ['nothing'] }).kept, []);
});

test('bad filters are RuleErrors at their field', () => {
  const cases: Array<[TagFilterSpec, Array<string | number>, string]> = [
    [{ include: ['('] }, ['tags', 'include', 0], 'invalid regular expression "(": Unterminated group'],
    [{ exclude: ['ok', '*'] }, ['tags', 'exclude', 1], 'invalid regular expression "*": Nothing to repeat'],
    [{ semver: '>=banana' }, ['tags', 'semver'], 'invalid semver range ">=banana": Invalid comparator: >=banana'],
    [{ latest: 0 }, ['tags', 'latest'], 'must be a whole number of at least 1, got 0'],
    [{ latest: 1.5 }, ['tags', 'latest'], 'must be a whole number of at least 1, got 1.5'],
  ];
  for (const [spec, field, message] of cases) {
    assert.throws(
      () => compileTagFilter(spec),
      (error: unknown) => {
        assert.ok(error instanceof RuleError);
        assert.deepEqual(error.field, field);
        assert.equal(error.message, message);
        return true;
      },
    );
  }
});
