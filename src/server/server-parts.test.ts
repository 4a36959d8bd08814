import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PictureBookError } from '../errors/index.js';
import { apiExposureWarning } from './api-exposure.js';
import { tokenMatches } from './bearer-auth.js';
import { parseEndpoint } from './distribute/endpoint-address.js';
import { Counter, Histogram, renderMetrics } from './metrics/prometheus.js';

test('tokens compare equal only when identical, whatever their lengths', () => {
  assert.equal(tokenMatches('secret-token', 'secret-token'), true);
  assert.equal(tokenMatches('secret-token', 'secret-tokem'), false);
  assert.equal(tokenMatches('s', 'secret-token'), false);
  assert.equal(tokenMatches('', 'secret-token'), false);
});

test('endpoints: scheme decides http, /v2 is optional, Docker Hub aliases normalise', () => {
  assert.deepEqual(parseEndpoint('http://127.0.0.1:5000/v2'), { host: '127.0.0.1:5000', insecure: true });
  assert.deepEqual(parseEndpoint('https://Registry.Example/v2/'), { host: 'registry.example', insecure: false });
  assert.deepEqual(parseEndpoint('registry.example:5443'), { host: 'registry.example:5443', insecure: false });
  assert.deepEqual(parseEndpoint('https://registry-1.docker.io/v2'), { host: 'docker.io', insecure: false });
  assert.throws(() => parseEndpoint('https://x.example/v2?a=1'), /query or fragment/);
  assert.throws(() => parseEndpoint('http://'), /not a registry URL/);
});

test('endpoints: every refusal is an ENDPOINT_INVALID PictureBookError saying what is wrong', () => {
  const cases: Array<[string, RegExp]> = [
    ['http://', /not a registry URL/],
    ['ftp://x.example', /scheme ftp: is not supported/],
    ['https://u:p@x.example', /credentials do not belong/],
    ['https://x.example/v2#a', /query or fragment/],
    ['https://x.example/v3', /not a registry API root/],
    ['http://0x7f000001:5000', /./],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseEndpoint(text),
      (error: unknown) => error instanceof PictureBookError && error.code === 'ENDPOINT_INVALID' && message.test(error.message),
      text,
    );
  }
});

test('Prometheus text: escaped labels, cumulative histogram buckets, sum and count', async () => {
  const counter = new Counter('jobs_total', 'Jobs.\nSecond line');
  counter.inc({ name: 'a"b\\c\nd' }, 2);
  counter.inc({ name: 'a"b\\c\nd' });
  const histogram = new Histogram('duration_seconds', 'Durations.', [1, 5]);
  histogram.observe({ r: 'x' }, 0.5);
  histogram.observe({ r: 'x' }, 3);
  histogram.observe({ r: 'x' }, 9);
  assert.equal(
    await renderMetrics([counter, histogram]),
    [
      '# HELP jobs_total Jobs.\\nSecond line',
      '# TYPE jobs_total counter',
      'jobs_total{name="a\\"b\\\\c\\nd"} 3',
      '# HELP duration_seconds Durations.',
      '# TYPE duration_seconds histogram',
      'duration_seconds_bucket{r="x",le="1"} 1',
      'duration_seconds_bucket{r="x",le="5"} 2',
      'duration_seconds_bucket{r="x",le="+Inf"} 3',
      'duration_seconds_sum{r="x"} 12.5',
      'duration_seconds_count{r="x"} 3',
      '',
    ].join('\n'),
  );
});

test('auth off on a non-loopback address is warned about; loopback or auth on is not', () => {
  const api = { enabled: true, port: 8001, enableAuth: false, authToken: '', host: '0.0.0.0' };
  assert.match(apiExposureWarning(api) ?? '', /authentication is off and the API listens on 0\.0\.0\.0/);
  assert.match(apiExposureWarning({ ...api, host: 'mirror.example.com' }) ?? '', /mirror\.example\.com/);
  assert.equal(apiExposureWarning({ ...api, host: '127.0.0.1' }), undefined);
  assert.equal(apiExposureWarning({ ...api, host: 'localhost' }), undefined);
  assert.equal(apiExposureWarning({ ...api, enableAuth: true, authToken: 't' }), undefined);
  assert.equal(apiExposureWarning({ ...api, enabled: false }), undefined);
});
