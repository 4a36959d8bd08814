import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { useConfigDir } from './config-test-kit.js';
import { configSecrets } from './index.js';
import { queueUrlProblem } from './queue-url.js';

const configDir = useConfigDir('pb-queue-config-');

const REGISTRY = 'registries:\n  - hostname: reg.example\n    images: [nginx:1.25]\n';

const load = async (yaml: string) => (await configDir.load(yaml)).result;

test('without a queue block nothing is queued: no url, the documented defaults', async () => {
  const { config } = await load(REGISTRY);
  assert.deepEqual(config.queue, { name: 'picture-book', stalledSeconds: 30 });
});

test('queue: url, name and stalledSeconds are read; the password of the url is a secret of the config', async () => {
  const { config } = await load(
    `${REGISTRY}queue:\n  url: redis://:s3cret-pass@redis.internal:6380/2\n  name: mirrors-eu\n  stalledSeconds: 5\n`,
  );
  assert.deepEqual(config.queue, { url: 'redis://:s3cret-pass@redis.internal:6380/2', name: 'mirrors-eu', stalledSeconds: 5 });
  assert.ok(
    configSecrets(config).some((s) => typeof s === 'object' && s.password === 's3cret-pass'),
    'the scrubber learns the password',
  );
});

test('a queue url that is not Redis is a config problem at its line, never quoting the url', async () => {
  await assert.rejects(load(`${REGISTRY}queue:\n  url: http://user:hunter22@redis:6379\n  name: 'a:b'\n`), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    const problems = error.problems.map((p) => [p.line, p.path]);
    assert.deepEqual(problems, [
      [5, 'queue.url'],
      [6, 'queue.name'],
    ]);
    assert.doesNotMatch(error.message, /hunter22/);
    assert.match(error.message, /must start with redis:\/\/ or rediss:\/\//);
    return true;
  });
});

test('queueUrlProblem: what a Redis URL must look like', () => {
  assert.equal(queueUrlProblem('redis://127.0.0.1:6379'), undefined);
  assert.equal(queueUrlProblem('rediss://user:pw@[::1]:6380/15'), undefined);
  assert.match(queueUrlProblem('127.0.0.1:6379') ?? '', /must start with redis:\/\/|is not a URL/);
  assert.match(queueUrlProblem('not a url') ?? '', /is not a URL/);
  assert.match(queueUrlProblem('redis://host:6379/queue') ?? '', /database number/);
});
