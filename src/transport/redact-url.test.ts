import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from './redact-url.js';

test('userinfo and upload state are never shown', () => {
  const shown = redactUrl('https://bob:hunter2@reg.example/v2/a/blobs/uploads/123?_state=c2VjcmV0&digest=sha256%3Aab');
  assert.equal(shown.includes('hunter2'), false);
  assert.equal(shown.includes('bob'), false);
  assert.equal(shown.includes('c2VjcmV0'), false);
  assert.match(shown, /_state=\*\*\*/);
  assert.match(shown, /digest=sha256%3Aab/);
});

test('an unparseable URL does not leak its text', () => {
  assert.equal(redactUrl('not a url with password'), '<invalid url>');
});
