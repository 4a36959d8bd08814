import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretScrubber } from './secret-scrubber.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

test('a secret is masked as is, in base64 (with or without padding), URL-encoded and JSON-escaped', () => {
  const scrubber = new SecretScrubber();
  const secret = 'p@ss "w/rd" 42';
  scrubber.add(secret);
  for (const form of [
    secret,
    b64(secret),
    b64(secret).replace(/=+$/, ''),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ]) {
    assert.equal(scrubber.scrub(`before ${form} after`), 'before *** after', form);
  }
});

test('credentials: the password and the base64 of user:password that a Basic header carries', () => {
  const scrubber = new SecretScrubber();
  scrubber.addCredentials('reader', 'hunter2-pw');
  assert.equal(scrubber.scrub(`denied: hunter2-pw`), 'denied: ***');
  assert.equal(scrubber.scrub(`got ${b64('reader:hunter2-pw')} from you`), 'got *** from you');
  const short = new SecretScrubber();
  short.addCredentials('u', 'pw');
  assert.equal(short.scrub('the pwd is pw'), 'the pwd is pw', 'a 2-character password is not masked as text');
  assert.equal(short.scrub(`echo ${b64('u:pw')}`), 'echo ***', 'its Basic form is');
});

test('any Basic or Bearer credential is masked, prose and challenges are not', () => {
  const scrubber = new SecretScrubber();
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  assert.equal(scrubber.scrub(`Authorization: Bearer ${jwt}`), 'Authorization: Bearer ***');
  assert.equal(scrubber.scrub(`{"auth":"bearer   tok_9f8e7d6c5b"}`), '{"auth":"bearer   ***"}');
  assert.equal(scrubber.scrub(`header Basic ${b64('someone:else')}, then`), 'header Basic ***, then');
  for (const text of [
    'Missing or wrong bearer token (when auth is enabled)',
    'WWW-Authenticate: Bearer realm="picture-book"',
    'Basic realm="registry"',
    'Bearer authentication failed',
    'Basic QUJD is not a credential',
  ]) {
    assert.equal(scrubber.scrub(text), text);
  }
});

test('a registration holds until released; two holders of one secret keep it masked until both release', () => {
  const scrubber = new SecretScrubber();
  const first = scrubber.add('job-token-1234');
  const second = scrubber.add('job-token-1234');
  first();
  first();
  assert.equal(scrubber.scrub('job-token-1234'), '***');
  second();
  assert.equal(scrubber.scrub('job-token-1234'), 'job-token-1234');
  scrubber.addAll(['outer-secret-xyz', 'secret-x'])();
  scrubber.add('outer-secret-xyz');
  scrubber.add('secret-x');
  assert.equal(scrubber.scrub('outer-secret-xyz'), '***', 'the longer secret is masked whole');
  assert.deepEqual(scrubber.scrubDeep({ a: ['secret-x', 1], b: { c: 'x secret-x' } }), { a: ['***', 1], b: { c: 'x ***' } });
});
