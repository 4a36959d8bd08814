import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextLink } from './pagination.js';

test('Link rel="next" is resolved against the request URL (relative on distribution 2.8)', () => {
  const base = new URL('http://127.0.0.1:5000/v2/_catalog?n=2');
  assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', base)?.toString(), 'http://127.0.0.1:5000/v2/_catalog?last=b&n=2');
  assert.equal(nextLink('<https://other/v2/x/tags/list?last=1>; rel=next', base)?.toString(), 'https://other/v2/x/tags/list?last=1');
  assert.equal(nextLink('</a>; rel="prev"', base), undefined);
  assert.equal(nextLink(undefined, base), undefined);
});
