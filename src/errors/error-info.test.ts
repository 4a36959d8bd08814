import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ContentError, errorInfo, errorMessage, HttpError, PictureBookError, ProtocolError } from './index.js';

test('errorInfo: a PictureBookError keeps its code, anything else thrown is INTERNAL with its text', () => {
  assert.deepEqual(errorInfo(new ContentError('SIZE_MISMATCH', 'blob is 3 bytes, not 4')), {
    code: 'SIZE_MISMATCH',
    message: 'blob is 3 bytes, not 4',
  });
  assert.deepEqual(
    errorInfo(new HttpError({ status: 429, method: 'GET', url: 'https://r.example/v2/', errors: [] })).code,
    'TOO_MANY_REQUESTS',
  );
  assert.deepEqual(errorInfo(new ProtocolError('no Location')), { code: 'PROTOCOL', message: 'no Location' });
  assert.deepEqual(errorInfo(new TypeError('x is undefined')), { code: 'INTERNAL', message: 'x is undefined' });
  assert.deepEqual(errorInfo('a string'), { code: 'INTERNAL', message: 'a string' });
  assert.equal(errorMessage(42), '42');
  assert.equal(errorMessage(undefined), 'undefined');
});

test('a code that is not an ErrorCode does not compile', () => {
  // @ts-expect-error: 'NOT_A_CODE' is not in error-code.ts (the build fails if this line compiles)
  const error = new PictureBookError('NOT_A_CODE', 'message');
  assert.equal(error.code, 'NOT_A_CODE');
});

test('error-code.ts says in one line what each code means, and lists each once', () => {
  const source = readFileSync(new URL('../../../src/errors/error-code.ts', import.meta.url), 'utf8');
  const lines = source.split('\n').map((line) => line.trim());
  const codes: string[] = [];
  lines.forEach((line, i) => {
    const code = /^\| '([A-Z_]+)';?$/.exec(line)?.[1];
    if (code === undefined) return;
    codes.push(code);
    assert.match(lines[i - 1] ?? '', /^\/\*\* .+ \*\/$/, `${code} has no one-line meaning above it`);
  });
  assert.ok(codes.length >= 40, `found ${codes.length} codes`);
  assert.deepEqual(codes, [...new Set(codes)], 'a code is listed twice');
});
