import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SelectedImage } from './expansion.js';
import { mergeSelections } from './merge-selections.js';

const D = `sha256:${'d'.repeat(64)}`;
const img = (source: string, target: string, rule: string, extra: Partial<SelectedImage> = {}): SelectedImage => ({
  source,
  target,
  rule,
  ...extra,
});

test('the same source to the same target from two rules is one copy, naming both rules; force wins', () => {
  const { images, problems } = mergeSelections([
    img('a.example/app:v1', 'm:5000/app:v1', 'mirrors[0]'),
    img('a.example/app:v2', 'm:5000/app:v2', 'mirrors[0]'),
    img('a.example/app:v1', 'm:5000/app:v1', 'images[0]', { force: true }),
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(images, [
    { source: 'a.example/app:v1', target: 'm:5000/app:v1', rule: 'mirrors[0]', force: true, rules: ['mirrors[0]', 'images[0]'] },
    { source: 'a.example/app:v2', target: 'm:5000/app:v2', rule: 'mirrors[0]', rules: ['mirrors[0]'] },
  ]);
});

test('two sources for one target tag are an error naming both sources and rules; neither is copied there', () => {
  const { images, problems } = mergeSelections([
    img('a.example/team/app:v1', 'm:5000/app:v1', 'registries[0].mirrors[0]'),
    img('b.example/other/app:v1', 'm:5000/app:v1', 'registries[0].mirrors[1]'),
    img('a.example/team/app:v2', 'm:5000/app:v2', 'registries[0].mirrors[0]'),
  ]);
  assert.deepEqual(
    images.map((i) => i.target),
    ['m:5000/app:v2'],
  );
  assert.equal(problems.length, 1);
  const [problem] = problems;
  assert.equal(problem?.code, 'TARGET_COLLISION');
  assert.equal(problem.severity, 'error');
  assert.equal(problem.registry, 'm:5000');
  assert.deepEqual(problem.collision, {
    target: 'm:5000/app:v1',
    sources: [
      { source: 'a.example/team/app:v1', rule: 'registries[0].mirrors[0]' },
      { source: 'b.example/other/app:v1', rule: 'registries[0].mirrors[1]' },
    ],
  });
  assert.equal(
    problem.message,
    'm:5000/app:v1 is selected from different sources: a.example/team/app:v1 (registries[0].mirrors[0]) and b.example/other/app:v1 (registries[0].mirrors[1]); a tag holds one image, so none of them is copied there: rename one with target: or filter it out',
  );
});

test('one source with different platforms for one target tag is a collision too', () => {
  const { images, problems } = mergeSelections([
    img('a.example/app:v1', 'm:5000/app:v1', 'mirrors[0]', { platforms: ['linux/amd64'] }),
    img('a.example/app:v1', 'm:5000/app:v1', 'mirrors[1]'),
  ]);
  assert.deepEqual(images, []);
  assert.match(
    problems[0]?.message ?? '',
    /^m:5000\/app:v1 is selected with different platforms: a\.example\/app:v1 \(mirrors\[0\], platforms linux\/amd64\) and a\.example\/app:v1 \(mirrors\[1\]\)/,
  );
});

test('platforms in another order are the same platforms', () => {
  const { images, problems } = mergeSelections([
    img('a.example/app:v1', 'm:5000/app:v1', 'r0', { platforms: ['linux/amd64', 'linux/arm64'] }),
    img('a.example/app:v1', 'm:5000/app:v1', 'r1', { platforms: ['linux/arm64', 'linux/amd64'] }),
  ]);
  assert.deepEqual(problems, []);
  assert.equal(images.length, 1);
});

test('targets by digest only hold their content: two sources of one digest are not a collision', () => {
  const { images, problems } = mergeSelections([
    img(`a.example/app@${D}`, `m:5000/app@${D}`, 'r0'),
    img(`b.example/app@${D}`, `m:5000/app@${D}`, 'r1'),
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    images.map((i) => i.rules),
    [['r0', 'r1']],
  );
});

test('a reference without tag and the same with :latest are one image (a copy reads latest), not a collision', () => {
  const { images, problems } = mergeSelections([
    img('a.example/app', 'm:5000/app:latest', 'syncer script line 1'),
    img('a.example/app:latest', 'm:5000/app:latest', 'images[0]'),
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(images, [
    { source: 'a.example/app', target: 'm:5000/app:latest', rule: 'syncer script line 1', rules: ['syncer script line 1', 'images[0]'] },
  ]);
});

test("a rule's referrers: false holds only when every rule selecting the image says it; unsaid, the registry decides", () => {
  const { images } = mergeSelections([
    img('a.example/app:v1', 'm:5000/app:v1', 'mirrors[0]', { referrers: false }),
    img('a.example/app:v1', 'm:5000/app:v1', 'mirrors[1]', { referrers: false }),
    img('a.example/app:v2', 'm:5000/app:v2', 'mirrors[0]', { referrers: false }),
    img('a.example/app:v2', 'm:5000/app:v2', 'mirrors[2]'),
    img('a.example/app:v3', 'm:5000/app:v3', 'mirrors[0]', { referrers: false }),
    img('a.example/app:v3', 'm:5000/app:v3', 'mirrors[3]', { referrers: true }),
  ]);
  assert.deepEqual(
    images.map((i) => [i.target, i.referrers]),
    [
      ['m:5000/app:v1', false],
      ['m:5000/app:v2', undefined],
      ['m:5000/app:v3', true],
    ],
  );
});

test("a rule's cosignTags merges as referrers does; artifactTypes filters that agree stay, filters that differ let every type through", () => {
  const sig = { include: ['application/vnd.dev.cosign.*'] };
  const { images } = mergeSelections([
    img('a.example/app:v1', 'm:5000/app:v1', 'mirrors[0]', { cosignTags: false, artifactTypes: sig }),
    img('a.example/app:v1', 'm:5000/app:v1', 'mirrors[1]', {
      cosignTags: false,
      artifactTypes: { include: ['application/vnd.dev.cosign.*'] },
    }),
    img('a.example/app:v2', 'm:5000/app:v2', 'mirrors[0]', { cosignTags: false, artifactTypes: sig }),
    img('a.example/app:v2', 'm:5000/app:v2', 'mirrors[2]', { artifactTypes: { exclude: ['application/spdx+json'] } }),
    img('a.example/app:v3', 'm:5000/app:v3', 'mirrors[0]', { artifactTypes: sig }),
    img('a.example/app:v3', 'm:5000/app:v3', 'mirrors[3]'),
    img('a.example/app:v4', 'm:5000/app:v4', 'mirrors[3]'),
  ]);
  assert.deepEqual(
    images.map((i) => [i.target, i.cosignTags, i.artifactTypes]),
    [
      ['m:5000/app:v1', false, sig],
      ['m:5000/app:v2', undefined, {}],
      ['m:5000/app:v3', undefined, {}],
      ['m:5000/app:v4', undefined, undefined],
    ],
  );
});
