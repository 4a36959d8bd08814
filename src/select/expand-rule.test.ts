import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError, NetworkError } from '../errors/index.js';
import type { SelectionEvent } from './events.js';
import { expandRule, type ExpandContext } from './expand-rule.js';
import { FakeLister } from './lister-test-kit.js';
import { compileRule, type RuleSpec } from './rule.js';

const REG = 'src.example:5000';
const catalog = {
  [REG]: {
    'team/app': ['v1.0.0', 'v1.1.0', 'v2.0.0', 'latest'],
    'team/tool': ['1.0.0', 'edge'],
    'team/old-thing': ['v0.1.0'],
    'teamwork/app': ['v9.0.0'],
    'other/db': ['5.7.0', '8.0.0'],
  },
};

function context(lister = new FakeLister(catalog), events: SelectionEvent[] = []): ExpandContext {
  return { lister, target: { hostname: 'mirror:5000', repository: 'm' }, onEvent: (e) => events.push(e) };
}

const expand = (spec: RuleSpec, ctx = context()) => expandRule(compileRule(spec, 'rule-1'), ctx);

test('a repository rule selects every tag, mapped under the target prefix', async () => {
  const result = await expand({ source: `${REG}/team/app` });
  assert.deepEqual(
    result.images.map((i) => `${i.source} -> ${i.target}`),
    ['latest', 'v1.0.0', 'v1.1.0', 'v2.0.0'].map((t) => `${REG}/team/app:${t} -> mirror:5000/m/team/app:${t}`),
  );
  assert.ok(result.images.every((i) => i.rule === 'rule-1' && i.platforms === undefined && i.force === undefined));
  assert.deepEqual(result.repositories, [
    { registry: REG, repository: 'team/app', listed: 4, kept: ['latest', 'v1.0.0', 'v1.1.0', 'v2.0.0'] },
  ]);
  assert.deepEqual(result.problems, []);
});

test('a repository rule with filters, a rename, platforms and force: dropped tags name their filter', async () => {
  const result = await expand({
    source: `${REG}/team/app`,
    tags: { semver: '>=1.1', latest: 1 },
    target: 'apps/app',
    platforms: ['linux/arm64'],
    force: true,
  });
  assert.deepEqual(result.images, [
    { source: `${REG}/team/app:v2.0.0`, target: 'mirror:5000/m/apps/app:v2.0.0', platforms: ['linux/arm64'], force: true, rule: 'rule-1' },
  ]);
  assert.deepEqual(
    result.dropped.map((d) => `${d.repository}:${d.tag} ${d.filter}`),
    ['team/app:latest semver', 'team/app:v1.0.0 semver', 'team/app:v1.1.0 latest'],
  );
});

test('a namespace rule lists the catalog, keeps its namespace, applies repository filters, then tag filters', async () => {
  const events: SelectionEvent[] = [];
  const lister = new FakeLister(catalog);
  const result = await expand(
    { source: `${REG}/team/`, repositories: { exclude: ['team/old-.*'] }, tags: { exclude: ['latest', 'edge'] } },
    context(lister, events),
  );
  assert.deepEqual(
    result.images.map((i) => i.target),
    ['mirror:5000/m/team/app:v1.0.0', 'mirror:5000/m/team/app:v1.1.0', 'mirror:5000/m/team/app:v2.0.0', 'mirror:5000/m/team/tool:1.0.0'],
  );
  assert.deepEqual(result.droppedRepositories, [
    { repository: 'team/old-thing', filter: 'exclude', reason: 'matches exclude "team/old-.*"' },
  ]);
  assert.deepEqual(
    result.repositories.map((r) => `${r.repository} ${r.listed}/${r.kept.length}`),
    ['team/app 4/3', 'team/tool 2/1'],
  );
  assert.deepEqual(
    lister.calls.sort(),
    [`catalog ${REG}`, `tags ${REG}/team/app`, `tags ${REG}/team/tool`],
    'tags only of the repositories kept',
  );
  // Progress: catalog pages of 2 (5 names), then tags pages; the totals only grow.
  const found = events.filter((e) => e.type === 'repositories-found');
  assert.deepEqual(
    found.map((e) => [e.found, e.selected]),
    [
      [2, 2],
      [4, 2],
      [5, 2],
    ],
  );
  const tagTotals = events.flatMap((e) => (e.type === 'tags-found' ? [e.total] : []));
  assert.equal(tagTotals.at(-1), 6);
  assert.deepEqual(
    [...tagTotals].sort((a, b) => a - b),
    tagTotals,
    'the running total never goes down',
  );
  assert.equal(events.filter((e) => e.type === 'repository-selected').length, 2);
});

test('a registry rule covers the whole catalog', async () => {
  const result = await expand({ source: REG, repositories: { include: ['other/.*', 'teamwork/.*'] } });
  assert.deepEqual(
    result.images.map((i) => i.source),
    [`${REG}/other/db:5.7.0`, `${REG}/other/db:8.0.0`, `${REG}/teamwork/app:v9.0.0`],
  );
  assert.equal(result.droppedRepositories.length, 3);
});

test('a reference rule selects its one image without listing anything', async () => {
  const lister = new FakeLister(catalog);
  const result = await expand({ source: `${REG}/team/app:v1.0.0`, target: 'x/app' }, context(lister));
  assert.deepEqual(
    result.images.map((i) => `${i.source} -> ${i.target}`),
    [`${REG}/team/app:v1.0.0 -> mirror:5000/m/x/app:v1.0.0`],
  );
  assert.deepEqual(lister.calls, []);
});

test('a registry without a catalog fails the rule with CATALOG_UNAVAILABLE, naming the registry', async () => {
  const result = await expand({ source: `${REG}/team/` }, context(new FakeLister(catalog, { withoutCatalog: [REG] })));
  assert.deepEqual(result.images, []);
  assert.equal(result.problems.length, 1, 'no extra empty-selection note');
  const [problem] = result.problems;
  assert.equal(problem?.code, 'CATALOG_UNAVAILABLE');
  assert.equal(problem.severity, 'error');
  assert.match(
    problem.message,
    new RegExp(`^rule-1: ${REG} does not let us list its repositories \\(.*\\): list the repositories explicitly`),
  );
});

test('a repository deleted between catalog and tags is a warning; the others are still selected', async () => {
  const lister = new FakeLister(catalog);
  lister.vanished.add(`${REG}/team/tool`);
  const result = await expand({ source: `${REG}/team/` }, context(lister));
  assert.deepEqual(
    result.images.map((i) => i.source),
    [
      `${REG}/team/app:latest`,
      `${REG}/team/app:v1.0.0`,
      `${REG}/team/app:v1.1.0`,
      `${REG}/team/app:v2.0.0`,
      `${REG}/team/old-thing:v0.1.0`,
    ],
  );
  assert.deepEqual(
    result.repositories.map((r) => r.repository),
    ['team/app', 'team/old-thing'],
  );
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0]?.code, 'REPOSITORY_NOT_FOUND');
  assert.equal(result.problems[0].severity, 'warning');
  assert.equal(
    result.problems[0].message,
    `rule-1: ${REG}/team/tool was in the catalog but is gone now (GET http://x/v2/team/tool/tags/list: 404 Not Found: NAME_UNKNOWN: repository name not known to registry); skipped`,
  );
});

test('a repository rule naming a repository that does not exist is an error', async () => {
  const result = await expand({ source: `${REG}/team/nope` });
  assert.equal(result.problems[0]?.code, 'REPOSITORY_NOT_FOUND');
  assert.equal(result.problems[0].severity, 'error');
  assert.equal(result.problems.length, 1);
});

test('another listing failure of one repository is an error for it; the others go on', async () => {
  const lister = new FakeLister(catalog);
  lister.failures.set(`${REG}/team/app`, new NetworkError('GET', `http://${REG}/v2/team/app/tags/list`, 'connection reset'));
  const result = await expand({ source: `${REG}/team/` }, context(lister));
  assert.deepEqual(
    result.images.map((i) => i.source),
    [`${REG}/team/old-thing:v0.1.0`, `${REG}/team/tool:1.0.0`, `${REG}/team/tool:edge`],
  );
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.severity, p.repository]),
    [['LISTING_FAILED', 'error', 'team/app']],
  );
  assert.equal(
    result.problems[0]?.message,
    `rule-1: listing the tags of ${REG}/team/app failed: GET http://${REG}/v2/team/app/tags/list: connection reset`,
  );
});

test('an empty selection is a warning naming the rule and registry, an error when required', async () => {
  const loose = await expand({ source: `${REG}/team/app`, tags: { include: ['nothing'] } });
  assert.deepEqual(
    loose.problems.map((p) => [p.code, p.severity, p.message]),
    [['EMPTY_SELECTION', 'warning', `rule-1: selected no image from ${REG} (all 4 tags were filtered out)`]],
  );
  const required = await expand({ source: `${REG}/nothing/`, required: true });
  assert.deepEqual(
    required.problems.map((p) => [p.code, p.severity, p.message]),
    [
      [
        'EMPTY_SELECTION',
        'error',
        `rule-1: selected no image from ${REG} (no repository under nothing/ in the catalog of ${REG}), and the rule is required`,
      ],
    ],
  );
  const filtered = await expand({ source: REG, repositories: { include: ['none/.*'] } });
  assert.match(filtered.problems[0]?.message ?? '', /\(all 5 repositories were filtered out\)$/);
});

test('a catalog name that breaks the grammar is skipped with a warning', async () => {
  const result = await expand({ source: 'bad.example' }, context(new FakeLister({ 'bad.example': { 'Bad/Name': ['v1'], ok: ['v1'] } })));
  assert.deepEqual(
    result.images.map((i) => i.source),
    ['bad.example/ok:v1'],
  );
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.severity]),
    [['INVALID_NAME', 'warning']],
  );
});

test('a cancelled listing is thrown as CancelledError, not reported as a problem', async () => {
  const controller = new AbortController();
  const lister = new FakeLister(catalog);
  lister.failures.set(REG, new Error('aborted'));
  controller.abort();
  await assert.rejects(
    expandRule(compileRule({ source: REG }, 'rule-1'), { ...context(lister), signal: controller.signal }),
    CancelledError,
  );
});

test('tag listings of a rule run concurrently, bounded by the limiter', async () => {
  const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`r/n${String(i).padStart(2, '0')}`, ['v1']]));
  let inFlight = 0;
  let most = 0;
  const inner = new FakeLister({ 'many.example': many });
  const lister = {
    repositories: inner.repositories.bind(inner),
    async tags(registry: string, repository: string) {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return inner.tags(registry, repository);
    },
  };
  const { Limiter } = await import('../copy/limiter.js');
  const result = await expandRule(compileRule({ source: 'many.example' }, 'r'), { ...context(), lister, limiter: new Limiter(3) });
  assert.equal(result.images.length, 12);
  assert.equal(most, 3);
  assert.deepEqual(
    result.images.map((i) => i.source),
    Object.keys(many).map((r) => `many.example/${r}:v1`),
    'in repository order whatever order they finished in',
  );
});

test('a tag list expands to its tags without listing, renamed in order when the target names new tags', async () => {
  const lister = new FakeLister(catalog);
  const result = await expand({ source: `${REG}/team/app:v1.0.0,v9.9.9`, target: 'apps/app:one,two' }, context(lister));
  assert.deepEqual(
    result.images.map((i) => `${i.source} -> ${i.target}`),
    [`${REG}/team/app:v1.0.0 -> mirror:5000/m/apps/app:one`, `${REG}/team/app:v9.9.9 -> mirror:5000/m/apps/app:two`],
    'a tag the repository lacks is still selected: its copy fails naming it',
  );
  assert.equal(lister.calls.length, 0, 'nothing listed');
  const one = await expand({ source: `${REG}/team/app:v1.0.0`, target: 'apps/app:stable' });
  assert.deepEqual(
    one.images.map((i) => i.target),
    ['mirror:5000/m/apps/app:stable'],
  );
});
