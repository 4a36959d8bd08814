import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayoutError } from '../errors/index.js';
import { emptyIndex, REF_NAME, type IndexDocument } from './index-document.js';
import { withEntries } from './index-writer.js';
import { holds, INVENTORY_MEDIA_TYPE, inventoryOf, parseInventory, serialiseInventory } from './inventory.js';
import { digestRefName, parseRefName, tagRefName } from './ref-names.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (digest: string, name?: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 10,
  ...(name ? { annotations: { [REF_NAME]: name } } : {}),
});

/** A bundle of one image `<repository>:v1` (manifest d(c), 10 bytes) and the 100-byte layer d('1') every such bundle shares. */
const oneImage = (c: string, repository: string) => ({
  index: { ...emptyIndex(), manifests: [entry(d(c), `${repository}:v1`)] } satisfies IndexDocument,
  sizes: new Map([
    [d(c), 10],
    [d('1'), 100],
  ]),
  users: new Map([
    [d(c), new Set([repository])],
    [d('1'), new Set([repository])],
  ]),
});

test('a delta inventory keeps its base, adds its own blobs and images, and says which repositories use each blob', () => {
  const app = oneImage('a', 'team/app');
  const base = inventoryOf('b1.tar', app.index, app.sizes, app.users);
  const tool = oneImage('b', 'team/tool');
  const delta = inventoryOf('b2.tar', tool.index, tool.sizes, tool.users, base);
  assert.equal(delta.since, 'b1.tar');
  assert.deepEqual(
    [...delta.images],
    [
      ['team/app:v1', d('a')],
      ['team/tool:v1', d('b')],
    ],
  );
  assert.deepEqual(
    delta.blobs.get(d('1')),
    { size: 100, bundle: 'b1.tar', repositories: ['team/app', 'team/tool'] },
    'first carried by b1, now used by both',
  );
  assert.equal(base.blobs.get(d('1'))?.repositories?.length, 1, 'the base inventory is not changed');
  assert.ok(holds(base, d('1'), 'team/app'));
  assert.equal(holds(base, d('1'), 'team/tool'), undefined, 'held for another repository only: a registry would not have it there');
  assert.ok(holds(base, d('1')), 'any repository when none is asked');

  const read = parseInventory(serialiseInventory(delta), 'b2.tar.inventory.json');
  assert.deepEqual(read, delta, 'what is written reads back the same');
});

test('an inventory file that is not one is refused, naming the file and what is wrong', () => {
  const bad = (doc: unknown) => Buffer.from(JSON.stringify(doc));
  const cases: Array<[Buffer, RegExp]> = [
    [Buffer.from('not json'), /not JSON/],
    [Buffer.from('null'), /not a JSON object/],
    [bad({ mediaType: 'x', bundle: 'b' }), /mediaType is not/],
    [bad({ mediaType: INVENTORY_MEDIA_TYPE }), /no "bundle"/],
    [bad({ mediaType: INVENTORY_MEDIA_TYPE, bundle: 'b', images: { 'a:v1': 'nope' } }), /images\["a:v1"\] is not a digest/],
    [
      bad({ mediaType: INVENTORY_MEDIA_TYPE, bundle: 'b', blobs: { [d('c')]: { size: 1, bundle: 'b', repositories: 'x' } } }),
      /repositories is not a list/,
    ],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => parseInventory(bytes, '/mnt/b.inventory.json'),
      (error: unknown) =>
        error instanceof LayoutError &&
        error.code === 'LAYOUT_INVALID' &&
        error.message.includes('/mnt/b.inventory.json') &&
        message.test(error.message),
    );
  }
});

test('ref names: repository:tag, a bare tag, repository@digest; names picture-book cannot copy under are not images', () => {
  assert.equal(tagRefName('team/app', 'v1'), 'team/app:v1');
  assert.equal(tagRefName('', 'v1'), 'v1');
  assert.equal(digestRefName('', d('a')), undefined);
  assert.deepEqual(parseRefName('team/app:v1'), { repository: 'team/app', tag: 'v1' });
  assert.deepEqual(parseRefName('localhost:5000/team/app'), undefined, 'a host with a port and no tag is not a tag');
  assert.deepEqual(parseRefName('v1'), { repository: '', tag: 'v1' });
  assert.deepEqual(parseRefName(`team/app@${d('a')}`), { repository: 'team/app', digest: d('a') });
  assert.equal(parseRefName('Team/App:v1'), undefined);
});

test('listing an image replaces the entry of the same name (a tag moves) and keeps the others in order', () => {
  const doc: IndexDocument = { ...emptyIndex(), manifests: [entry(d('a'), 'app:v1'), entry(d('b'), 'app:v2'), entry(d('c'))] };
  const next = withEntries(doc, [entry(d('d'), 'app:v1'), entry(d('c'))]);
  assert.deepEqual(
    next.manifests.map((m) => [m.digest, m.annotations?.[REF_NAME]]),
    [
      [d('b'), 'app:v2'],
      [d('d'), 'app:v1'],
      [d('c'), undefined],
    ],
  );
});

test('an inventory keeps the media type of each manifest index.json names, through a delta and a round trip; an older one without it still reads', () => {
  const index: IndexDocument = { ...emptyIndex(), manifests: [entry(d('a'), 'team/app:v1')] };
  const inventory = inventoryOf(
    'b1.tar',
    index,
    new Map([
      [d('a'), 10],
      [d('1'), 100],
    ]),
    new Map(),
  );
  const read = parseInventory(serialiseInventory(inventory), 'b1.tar.inventory.json');
  assert.equal(read.blobs.get(d('a'))?.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(read.blobs.get(d('1'))?.mediaType, undefined, 'a layer is not named: no media type');
  const delta = inventoryOf('b2.tar', emptyIndex(), new Map(), new Map(), read);
  assert.equal(delta.blobs.get(d('a'))?.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  const older = Buffer.from(
    JSON.stringify({ mediaType: INVENTORY_MEDIA_TYPE, bundle: 'b0', blobs: { [d('a')]: { size: 10, bundle: 'b0' } } }),
  );
  assert.equal(parseInventory(older, 'b0.json').blobs.get(d('a'))?.mediaType, undefined);
  const bad = Buffer.from(
    JSON.stringify({ mediaType: INVENTORY_MEDIA_TYPE, bundle: 'b0', blobs: { [d('a')]: { size: 10, bundle: 'b0', mediaType: 1 } } }),
  );
  assert.throws(() => parseInventory(bad, 'b0.json'), /mediaType is not a string/);
});
