import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadEvent } from '../load/events.js';
import { dockerHubQuotaPause, REGISTRY_A, REGISTRY_B, twoRegistryRun } from './fixtures.js';
import { PlainReporter } from './plain-reporter.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const BAD = '127.0.0.1:5001/library/missing:v9 -> 127.0.0.1:5003/mirror/library/missing:v9';

/** The time every event of these cases carries, as the lines print it. */
const AT = '2026-11-22T10:00:00.000Z';

/** The lines a fresh reporter prints for `events`. */
function printed(events: LoadEvent[]): string[] {
  const { reporter, lines } = plain();
  for (const e of events) reporter.handle(e);
  return lines();
}

function plain(now = T0) {
  const chunks: string[] = [];
  const reporter = new PlainReporter({ write: (s) => (chunks.push(s), true) }, { now: () => now });
  const lines = () => chunks.join('').split('\n').slice(0, -1);
  return { reporter, lines };
}

describe('PlainReporter', () => {
  it('prints one timestamped line per meaningful event, with the registry', () => {
    const { reporter, lines } = plain();
    for (const e of twoRegistryRun(T0)) reporter.handle(e);
    const out = lines();
    assert.ok(
      out.includes(
        `2026-11-22T10:00:00.320Z [${REGISTRY_A}] copied 127.0.0.1:5001/library/app:v1 -> 127.0.0.1:5002/mirror/library/app:v1 (1 blob, 4.00 MiB, 290ms, 1 already present)`,
      ),
      out.join('\n'),
    );
    assert.ok(out.includes(`2026-11-22T10:00:00.250Z [${REGISTRY_B}] FAILED ${BAD}: manifest unknown: missing:v9`));
    assert.ok(
      out.includes(
        `2026-11-22T10:00:00.300Z [${REGISTRY_A}] blob sha256:222222222222 (4.00 MiB) copied to 127.0.0.1:5002/mirror/library/app:v1 in 240ms`,
      ),
    );
    assert.ok(out.includes('2026-11-22T10:00:00.000Z run started: 2 registries (127.0.0.1:5002, 127.0.0.1:5003)'));
    assert.equal(out.filter((l) => l.includes(' blob ')).length, 3, 'skipped + 2 done, no progress');
  });

  it("prints a host's pauses for its quota or a 429 and their end, not each quota reading", () => {
    const events: LoadEvent[] = [
      { type: 'host-quota', host: 'docker.io', limit: 100, remaining: 10, windowSeconds: 21600, time: T0 },
      dockerHubQuotaPause(T0, 21_600_000),
      { type: 'host-resumed', host: 'docker.io', reason: 'quota', pausedMs: 61_000, time: T0 },
      { type: 'host-paused', host: 'ghcr.io', reason: 'rate-limited', waitMs: 30_000, retryAfter: true, time: T0 },
      { type: 'host-resumed', host: 'ghcr.io', reason: 'rate-limited', pausedMs: 30_000, time: T0 },
    ];
    assert.deepEqual(printed(events), [
      '2026-11-22T10:00:00.000Z docker.io: 10 of 100 pulls left per 6h00m, the reserve is 10 (quotaReserve): manifest GETs wait for the quota, each at most 6h00m (quotaWaitSeconds)',
      '2026-11-22T10:00:00.000Z docker.io: requests go again after 1m01s (the pull quota allows)',
      '2026-11-22T10:00:00.000Z ghcr.io: answered 429 Too Many Requests: every request to it waits 30.0s (its Retry-After)',
      '2026-11-22T10:00:00.000Z ghcr.io: requests go again after 30.0s (the 429 pause is over)',
    ]);
  });

  it('ends a run with the summary block listing the failures it saw', () => {
    assert.deepEqual(printed(twoRegistryRun(T0)).slice(-6), [
      '2026-11-22T10:00:00.430Z run finished with FAILURES',
      'images: 2 copied, 0 up to date, 1 failed',
      'bytes moved: 12.0 MiB (27.9 MiB/s)',
      'time: 430ms',
      'failed images (1):',
      `  [${REGISTRY_B}] ${BAD}: manifest unknown: missing:v9`,
    ]);
  });

  it('prints script failures with their stderr tail, invalid lines, warnings and retries', () => {
    const events: LoadEvent[] = [
      {
        type: 'registry-script-failed',
        registry: 'r',
        message: 'syncer script "x" exited with code 2',
        stderrTail: ['oops', 'fatal'],
        time: T0,
      },
      {
        type: 'registry-line-invalid',
        registry: 'r',
        line: 7,
        text: 'Bad Ref',
        message: 'invalid reference: reference contains whitespace',
        time: T0,
      },
      { type: 'warning', message: 'config reloaded', time: T0 },
      { type: 'retry', method: 'GET', url: 'https://r/v2/', attempt: 2, delayMs: 500, reason: 'HTTP 503', time: T0, registry: '' },
    ];
    assert.deepEqual(printed(events), [
      `${AT} [r] FAILED syncer script "x" exited with code 2; its stderr ended with:`,
      '    | oops',
      '    | fatal',
      `${AT} [r] line 7: "Bad Ref": invalid reference: reference contains whitespace`,
      `${AT} warning: config reloaded`,
      `${AT} retrying GET https://r/v2/ (attempt 2) in 500ms: HTTP 503`,
    ]);
  });

  it('prints dry-run plans and counts them in the summary', () => {
    const { reporter, lines } = plain();
    const plan = (action: 'copy' | 'up-to-date' | 'error', message?: string): LoadEvent => ({
      type: 'image-planned',
      registry: 'r',
      source: 's/a',
      target: 'r/a',
      action,
      ...(message ? { message } : {}),
      time: T0,
    });
    for (const e of [
      { type: 'run-started', registries: ['r'], dryRun: true, time: T0 } as LoadEvent,
      plan('copy'),
      plan('up-to-date'),
      plan('error', 'unauthorized'),
      { type: 'run-finished', copied: 0, upToDate: 1, failed: 1, bytes: 0, durationMs: 50, ok: false, time: T0 + 50 } as LoadEvent,
    ])
      reporter.handle(e);
    const out = lines();
    assert.deepEqual(out.slice(1, 4), [
      '2026-11-22T10:00:00.000Z [r] would copy s/a -> r/a',
      '2026-11-22T10:00:00.000Z [r] up to date s/a -> r/a',
      '2026-11-22T10:00:00.000Z [r] error s/a -> r/a: unauthorized',
    ]);
    assert.ok(out.includes('images: 1 would copy, 1 up to date, 1 failed (dry run)'), out.join('\n'));
    assert.ok(out.includes('  [r] s/a -> r/a: unauthorized'));
  });

  it('prints a summary at close() only when a run was cut short', () => {
    const finished = plain();
    for (const e of twoRegistryRun(T0)) finished.reporter.handle(e);
    const before = finished.lines().length;
    finished.reporter.close();
    assert.equal(finished.lines().length, before);

    const cut = plain(T0 + 5000);
    for (const e of twoRegistryRun(T0).slice(0, 14)) cut.reporter.handle(e);
    cut.reporter.close();
    assert.ok(cut.lines().includes('images: 0 copied, 0 up to date, 1 failed'), cut.lines().join('\n'));
    assert.ok(cut.lines().includes('time: 5.0s'));
  });

  it('one count for one list: failed images, and script failures with invalid lines, each counted and listed apart', () => {
    const { reporter, lines } = plain();
    const events: LoadEvent[] = [
      { type: 'run-started', registries: ['a', 'b'], dryRun: false, time: T0 },
      {
        type: 'registry-script-failed',
        registry: 'a',
        message: 'syncer script "a.sh" exited with code 3',
        stderrTail: ['first', 'catalog down'],
        time: T0,
      },
      {
        type: 'registry-finished',
        registry: 'a',
        copied: 0,
        upToDate: 0,
        failed: 0,
        cancelled: 0,
        scriptFailures: 1,
        invalidLines: 0,
        bytes: 0,
        durationMs: 5,
        ok: false,
        time: T0,
      },
      {
        type: 'registry-line-invalid',
        registry: 'b',
        line: 2,
        text: 'Not A Ref',
        message: 'invalid reference: reference contains whitespace',
        time: T0,
      },
      {
        type: 'registry-line-invalid',
        registry: 'b',
        line: 5,
        text: 'Bad',
        message: 'invalid reference: path component "Bad" must be lowercase',
        time: T0,
      },
      {
        type: 'image-failed',
        registry: 'b',
        source: 's/x:1',
        target: 'b/x:1',
        error: { code: 'IMAGE_NOT_FOUND', message: 'not found' },
        time: T0,
      },
      {
        type: 'registry-finished',
        registry: 'b',
        copied: 1,
        upToDate: 0,
        failed: 1,
        cancelled: 0,
        scriptFailures: 0,
        invalidLines: 2,
        bytes: 10,
        durationMs: 5,
        ok: false,
        time: T0,
      },
      {
        type: 'run-finished',
        copied: 1,
        upToDate: 0,
        failed: 1,
        cancelled: 0,
        scriptFailures: 1,
        invalidLines: 2,
        bytes: 10,
        durationMs: 10,
        ok: false,
        time: T0 + 10,
      },
    ];
    for (const e of events) reporter.handle(e);
    const out = lines();
    assert.ok(
      out.includes(
        '2026-11-22T10:00:00.000Z [a] finished with FAILURES: 0 copied, 0 up to date, 0 failed, 1 syncer script failed, 0 B in 5ms',
      ),
      out.join('\n'),
    );
    assert.ok(
      out.includes('2026-11-22T10:00:00.000Z [b] finished with FAILURES: 1 copied, 0 up to date, 1 failed, 2 invalid lines, 10 B in 5ms'),
      out.join('\n'),
    );
    assert.equal(
      out.filter((l) => l.endsWith('catalog down')).length,
      2,
      'the last stderr line: once under the failure, once in the summary',
    );
    assert.deepEqual(out.slice(-10), [
      'images: 1 copied, 0 up to date, 1 failed',
      'image lists: 1 syncer script failed, 2 invalid lines',
      'bytes moved: 10 B (1000 B/s)',
      'time: 10ms',
      'failed images (1):',
      '  [b] s/x:1 -> b/x:1: not found',
      'image list problems (3):',
      '  [a] syncer script "a.sh" exited with code 3: catalog down',
      '  [b] line 2: "Not A Ref": invalid reference: reference contains whitespace',
      '  [b] line 5: "Bad": invalid reference: path component "Bad" must be lowercase',
    ]);
  });

  it('prints the warnings of signatures that could not be listed or copied, naming registry, repository and what', () => {
    const { reporter, lines } = plain();
    const subject = `sha256:${'a'.repeat(64)}`;
    const base = { registry: REGISTRY_A, target: `${REGISTRY_A}/mirror/app:v1`, subject, time: T0 };
    const error = { code: 'HTTP', message: 'GET http://src:5000/v2/team/app/tags/list?n=1000: 404 Not Found: UNSUPPORTED' };
    reporter.handle({ type: 'referrers-not-listed', ...base, place: 'src:5000', repository: 'team/app', listing: 'tags', error });
    reporter.handle({ type: 'referrers-not-listed', ...base, place: 'src:5000', repository: 'team/app', listing: 'referrers', error });
    reporter.handle({ type: 'referrer-failed', ...base, digest: `sha256:${'b'.repeat(64)}`, error: { code: 'HTTP', message: '500' } });
    assert.deepEqual(lines(), [
      `2026-11-22T10:00:00.000Z [${REGISTRY_A}] warning: could not list the tags of src:5000/team/app to find the cosign signatures of sha256:aaaaaaaaaaaa (${error.message}); ${base.target} is copied without what that would have found`,
      `2026-11-22T10:00:00.000Z [${REGISTRY_A}] warning: could not list the referrers of sha256:aaaaaaaaaaaa at src:5000/team/app (${error.message}); ${base.target} is copied without what that would have found`,
      `2026-11-22T10:00:00.000Z [${REGISTRY_A}] warning: referrer sha256:bbbbbbbbbbbb of sha256:aaaaaaaaaaaa not copied to ${base.target}: 500`,
    ]);
  });
});
