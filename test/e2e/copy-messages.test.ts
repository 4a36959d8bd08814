import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { pushImage, startRegistry, type TestRegistry, startedSoFar } from '../harness/index.js';
import { dockerImage } from './fixtures.js';

/* Errors a user meets first, said so they know what to do: which part is missing, which side refuses. */

let source: TestRegistry;
let target: TestRegistry;
let readOnly: TestRegistry;
let engine: CopyEngine;

before(async () => {
  [source, target, readOnly] = await Promise.all([startRegistry(), startRegistry(), startRegistry({ readonly: true })]);
  await pushImage(dockerImage, source, 'msg/app:v1');
  engine = new CopyEngine();
});

after(async () => {
  const started = startedSoFar({ engine, source, target, readOnly });
  await started.engine?.close();
  await Promise.all([started.source?.stop(), started.target?.stop(), started.readOnly?.stop()]);
});

async function failure(from: string, to: string): Promise<Error & { code?: string; missing?: string }> {
  return engine.copy({ source: from, target: to }).then(
    () => assert.fail('the copy succeeded'),
    (error: unknown) => error as Error & { code?: string; missing?: string },
  );
}

test('an unknown repository and an unknown tag say which one is missing', async () => {
  const repo = await failure(`${source.host}/msg/nope:v1`, `${target.host}/msg/app:v1`);
  assert.equal(repo.code, 'IMAGE_NOT_FOUND');
  assert.equal(repo.missing, 'repository');
  assert.equal(repo.message, `image ${source.host}/msg/nope:v1 not found: repository ${source.host}/msg/nope does not exist`);

  const tag = await failure(`${source.host}/msg/app:nope`, `${target.host}/msg/app:v1`);
  assert.equal(tag.code, 'IMAGE_NOT_FOUND');
  assert.equal(tag.missing, 'tag');
  assert.equal(tag.message, `image ${source.host}/msg/app:nope not found: repository ${source.host}/msg/app has no tag "nope"`);

  const other = `sha256:${'1'.repeat(64)}`;
  const digest = await failure(`${source.host}/msg/app@${other}`, `${target.host}/msg/app`);
  assert.equal(digest.missing, 'digest');
  assert.equal(
    digest.message,
    `image ${source.host}/msg/app@${other} not found: repository ${source.host}/msg/app has no manifest ${other}`,
  );
});

test('a read-only target says it does not accept pushes, naming it', async () => {
  const error = await failure(`${source.host}/msg/app:v1`, `${readOnly.host}/msg/app:v1`);
  assert.equal(error.code, 'READ_ONLY', error.message);
  assert.match(
    error.message,
    new RegExp(
      `^target registry ${readOnly.host} does not accept pushes \\(read-only: POST answered 405 Method Not Allowed\\); cannot write ${readOnly.host}/msg/app`,
    ),
  );
});
