import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError } from '../errors/index.js';
import { isLayoutPlace, layoutOf, parsePlace, parseReference } from './index.js';

const D = `sha256:${'b'.repeat(64)}`;

const good: Array<{ input: string; registry: string; repository: string; tag?: string; digest?: string; shown: string }> = [
  { input: 'oci:/mnt/mirror', registry: 'oci:/mnt/mirror', repository: '', shown: 'oci:/mnt/mirror' },
  { input: 'oci:/mnt/mirror:v1', registry: 'oci:/mnt/mirror', repository: '', tag: 'v1', shown: 'oci:/mnt/mirror:v1' },
  {
    input: 'oci:/mnt/mirror:team/app:v1',
    registry: 'oci:/mnt/mirror',
    repository: 'team/app',
    tag: 'v1',
    shown: 'oci:/mnt/mirror:team/app:v1',
  },
  { input: 'oci:/mnt/mirror:team/app', registry: 'oci:/mnt/mirror', repository: 'team/app', shown: 'oci:/mnt/mirror:team/app' },
  { input: `oci:/mnt/mirror@${D}`, registry: 'oci:/mnt/mirror', repository: '', digest: D, shown: `oci:/mnt/mirror@${D}` },
  {
    input: `oci:/mnt/mirror:team/app:v1@${D}`,
    registry: 'oci:/mnt/mirror',
    repository: 'team/app',
    tag: 'v1',
    digest: D,
    shown: `oci:/mnt/mirror:team/app:v1@${D}`,
  },
  { input: 'oci-archive:/mnt/a.tar:v1', registry: 'oci-archive:/mnt/a.tar', repository: '', tag: 'v1', shown: 'oci-archive:/mnt/a.tar:v1' },
  { input: 'oci:/mnt/../mnt//mirror:v1', registry: 'oci:/mnt/mirror', repository: '', tag: 'v1', shown: 'oci:/mnt/mirror:v1' },
  // An '@' inside the path is not a digest.
  { input: 'oci:/mnt/a@b/mirror:v1', registry: 'oci:/mnt/a@b/mirror', repository: '', tag: 'v1', shown: 'oci:/mnt/a@b/mirror:v1' },
];

for (const g of good) {
  test(`parses ${g.input}`, () => {
    const ref = parseReference(g.input);
    assert.equal(ref.registry, g.registry);
    assert.equal(ref.repository, g.repository);
    assert.equal(ref.tag, g.tag);
    assert.equal(ref.digest, g.digest);
    assert.equal(ref.isLayout, true);
    assert.equal(ref.toString(), g.shown);
  });
}

test('a relative layout path is made absolute against the base given (the config directory), else the working directory', () => {
  assert.equal(parseReference('oci:out/mirror:v1', '/etc/pb').registry, 'oci:/etc/pb/out/mirror');
  assert.equal(parseReference('oci-archive:bundle.tar', '/srv').registry, 'oci-archive:/srv/bundle.tar');
  assert.equal(parseReference('oci:mirror').registry, `oci:${process.cwd()}/mirror`);
  assert.equal(parsePlace('oci:mirror', '/etc/pb'), 'oci:/etc/pb/mirror');
  assert.equal(parsePlace('Registry.Example.com:5000'), 'registry.example.com:5000');
});

test('a registry reference is not a layout, and a layout place says its kind and path', () => {
  assert.equal(parseReference('localhost:5000/app:v1').isLayout, false);
  assert.equal(isLayoutPlace('localhost:5000'), false);
  assert.deepEqual(layoutOf('oci-archive:/x/b.tar'), { kind: 'oci-archive', path: '/x/b.tar' });
  assert.equal(layoutOf('oci.example.com'), undefined);
});

test('a registry image moved into a layout keeps its repository as the image name', () => {
  const ref = parseReference('localhost:5000/team/app:v1').withRepository('team/app', 'oci:/mnt/mirror');
  assert.equal(ref.toString(), 'oci:/mnt/mirror:team/app:v1');
  assert.equal(ref.isLayout, true);
});

const bad: Array<[string, RegExp]> = [
  ['oci:', /layout path.*is empty/],
  ['oci-archive:', /layout path.*is empty/],
  ['oci:/mnt/mirror:', /image name.*is empty/],
  ['oci:/mnt/mirror:Bad Tag', /tag/],
  ['oci:/mnt/mirror:team/App:v1', /must be lowercase/],
  [`oci:/mnt/mirror@sha256:${'b'.repeat(10)}`, /digest/],
];

for (const [input, message] of bad) {
  test(`refuses ${JSON.stringify(input)} naming the part that is wrong`, () => {
    assert.throws(
      () => parseReference(input),
      (error: unknown) => error instanceof InvalidReferenceError && message.test(error.message),
    );
  });
}
