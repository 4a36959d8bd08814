import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobFollowers, type Follower } from './job-followers.js';

const follower = (): Follower & { settled: unknown[] } => {
  const settled: unknown[] = [];
  return {
    data: { registry: 'r', source: 's/a:1', target: 't/a:1' },
    run: {},
    added: false,
    settled,
    resolve: (result) => settled.push(result),
    reject: (error) => settled.push(error),
  };
};

test('a follower moved to the job of the same copy leaves no empty entry behind', () => {
  const followers = new JobFollowers();
  const first = follower();
  const second = follower();
  followers.follow('job-1', first);
  followers.follow('own-2', second);
  followers.order('own-2');
  // Deduplicated: the second caller's add found job-1.
  followers.follow('job-1', second);
  assert.deepEqual(followers.jobIds(), ['job-1']);
  assert.equal(followers.order('own-2'), undefined, 'its event order went with it');
  assert.deepEqual(followers.of('job-1'), [first, second]);
  followers.settle('job-1', { status: 'cancelled' });
  assert.deepEqual([first.settled, second.settled], [[{ status: 'cancelled' }], [{ status: 'cancelled' }]]);
  assert.deepEqual(followers.jobIds(), []);
});

test('following the same job again keeps the follower, once', () => {
  const followers = new JobFollowers();
  const one = follower();
  followers.follow('job-1', one);
  followers.follow('job-1', one);
  assert.deepEqual(followers.of('job-1'), [one]);
  assert.deepEqual(followers.jobIds(), ['job-1']);
});
