import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from './http-error.js';

const base = { method: 'HEAD', url: 'https://r.example/v2/app/manifests/v1' };

test('an HTTP error reads METHOD URL: STATUS Reason phrase, then the server’s own words if any', () => {
  const cases: Array<[ConstructorParameters<typeof HttpError>[0], string]> = [
    [{ ...base, status: 429, errors: [], summary: '' }, 'HEAD https://r.example/v2/app/manifests/v1: 429 Too Many Requests'],
    [{ ...base, status: 503, errors: [] }, 'HEAD https://r.example/v2/app/manifests/v1: 503 Service Unavailable'],
    [
      { ...base, method: 'POST', status: 405, errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] },
      'POST https://r.example/v2/app/manifests/v1: 405 Method Not Allowed: UNSUPPORTED: The operation is unsupported.',
    ],
    [
      { ...base, method: 'GET', status: 502, errors: [], summary: '<html>bad gateway</html>' },
      'GET https://r.example/v2/app/manifests/v1: 502 Bad Gateway: <html>bad gateway</html>',
    ],
    [{ ...base, method: 'GET', status: 404, errors: [], summary: 'Not Found' }, 'GET https://r.example/v2/app/manifests/v1: 404 Not Found'],
    [{ ...base, status: 599, errors: [] }, 'HEAD https://r.example/v2/app/manifests/v1: 599 server error'],
    [
      { ...base, method: 'GET', url: 'http://127.0.0.1:1/token', status: 500, errors: [], subject: 'token service of r.example' },
      'token service of r.example: GET http://127.0.0.1:1/token: 500 Internal Server Error',
    ],
  ];
  for (const [init, message] of cases) {
    const error = new HttpError(init);
    assert.equal(error.message, message);
    assert.doesNotMatch(error.message, /HTTP \d{3}/);
  }
});
