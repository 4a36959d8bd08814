import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PictureBookError } from '../errors/index.js';
import { apiExposureWarning } from './api-exposure.js';
import { tokenMatches } from './bearer-auth.js';
import { parseEndpoint } from './distribute/endpoint-address.js';
import { Counter, Histogram, renderMetrics } from './metrics/prometheus.js';
import { SyncMetrics } from './metrics/sync-metrics.js';
import type { JobState } from '../store/index.js';
import type { HostEvent } from '../transport/index.js';

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

test('metrics: a host quota reading is a gauge by registry, and its pauses a counter by reason', async () => {
  const metrics = new SyncMetrics({ synchronizerStates: () => [], jobCounts: async () => ({}) as Record<JobState, number> });
  const events: HostEvent[] = [
    { type: 'host-quota', host: 'docker.io', limit: 100, remaining: 42, windowSeconds: 21600, time: 0 },
    { type: 'host-quota', host: 'docker.io', limit: 100, remaining: 11, windowSeconds: 21600, time: 1 },
    {
      type: 'host-paused',
      host: 'docker.io',
      reason: 'quota',
      remaining: 11,
      limit: 100,
      windowSeconds: 21600,
      reserve: 11,
      maxWaitMs: 1,
      time: 2,
    },
    { type: 'host-paused', host: 'ghcr.io', reason: 'rate-limited', waitMs: 1000, retryAfter: false, time: 3 },
  ];
  for (const event of events) metrics.observe(event);
  const text = await metrics.render();
  assert.match(text, /^# TYPE picture_book_registry_quota_remaining gauge$/m);
  assert.match(text, /^picture_book_registry_quota_remaining\{registry="docker\.io"\} 11$/m);
  assert.match(text, /^picture_book_registry_pauses_total\{registry="docker\.io",reason="quota"\} 1$/m);
  assert.match(text, /^picture_book_registry_pauses_total\{registry="ghcr\.io",reason="rate_limited"\} 1$/m);
});
