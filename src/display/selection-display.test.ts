import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadEvent, RuleSelected } from '../load/events.js';
import { LiveModel } from './live-model.js';
import { renderLive } from './live-render.js';
import { PlainReporter } from './plain-reporter.js';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const REG = 'mirror.example:5000';
const SRC = 'src.example:5000';

const selected: RuleSelected = {
  type: 'rule-selected',
  registry: REG,
  rule: 'mirrors[0]',
  kind: 'namespace',
  source: `${SRC}/team/`,
  repositories: { kept: 2, dropped: { exclude: 1 } },
  tags: { listed: 6, kept: 3, dropped: { semver: 2, latest: 1 } },
  droppedRepositories: [{ repository: 'team/old', filter: 'exclude', reason: 'matches exclude "team/old"' }],
  droppedTags: [
    { repository: 'team/app', tag: 'main', filter: 'semver', reason: 'not a semantic version' },
    { repository: 'team/app', tag: 'v0.9.0', filter: 'semver', reason: 'outside ">=1"' },
    { repository: 'team/db', tag: 'v1.0.0', filter: 'latest', reason: 'not among the 1 highest versions' },
  ],
  time: T0 + 5,
};

const collision: LoadEvent = {
  type: 'selection-problem',
  registry: REG,
  code: 'TARGET_COLLISION',
  severity: 'error',
  rule: 'mirrors[0]',
  source: REG,
  message: `${REG}/team/app:v1 is selected from different sources: a (mirrors[0]) and b (mirrors[1]); ...`,
  time: T0 + 6,
};

/** The counts both the registry and the run finish with: nothing copied, one selection error. */
const nothingCopied = {
  copied: 0,
  upToDate: 0,
  failed: 0,
  cancelled: 0,
  bytes: 0,
  durationMs: 9,
  ok: false,
  selectionErrors: 1,
  time: T0 + 9,
};

function dryRun(): LoadEvent[] {
  return [
    { type: 'run-started', registries: [REG], dryRun: true, time: T0 },
    { type: 'registry-started', registry: REG, time: T0 },
    { type: 'repositories-found', registry: REG, source: SRC, rule: 'mirrors[0]', found: 3, selected: 2, time: T0 + 1 },
    { type: 'tags-found', registry: REG, source: SRC, rule: 'mirrors[0]', repository: 'team/app', found: 4, total: 4, time: T0 + 2 },
    selected,
    {
      type: 'selection-problem',
      registry: REG,
      code: 'EMPTY_SELECTION',
      severity: 'warning',
      rule: 'mirrors[1]',
      source: SRC,
      message: 'mirrors[1]: selected no image',
      time: T0 + 5,
    },
    collision,
    { type: 'registry-listed', registry: REG, images: 1, time: T0 + 7 },
    {
      type: 'image-planned',
      registry: REG,
      source: `${SRC}/team/app:v1.0.0`,
      target: `${REG}/team/app:v1.0.0`,
      action: 'copy',
      time: T0 + 8,
    },
    {
      type: 'registry-finished',
      registry: REG,
      ...nothingCopied,
    },
    {
      type: 'run-finished',
      ...nothingCopied,
    },
  ];
}

function plain(verbose: boolean): string[] {
  const chunks: string[] = [];
  const reporter = new PlainReporter({ write: (s) => (chunks.push(s), true) }, { now: () => T0, verbose });
  for (const event of dryRun()) reporter.handle(event);
  return chunks
    .join('')
    .split('\n')
    .slice(0, -1)
    .map((line) => line.replace(/^\S+Z /, ''));
}

describe('the selection on the displays', () => {
  it('a dry run shows per rule what was listed, kept and dropped by which filter, then each image; listing pages print nothing', () => {
    const out = plain(false);
    assert.deepEqual(out.slice(0, 7), [
      'run started: 1 registry (mirror.example:5000), dry run',
      `[${REG}] started`,
      `[${REG}] mirrors[0] ${SRC}/team/: 2 repositories (1 dropped by exclude), 6 tags, 3 selected (2 dropped by semver, 1 by latest)`,
      `[${REG}] warning: mirrors[1]: selected no image`,
      `[${REG}] error: ${REG}/team/app:v1 is selected from different sources: a (mirrors[0]) and b (mirrors[1]); ...`,
      `[${REG}] listed 1 image`,
      `[${REG}] would copy ${SRC}/team/app:v1.0.0 -> ${REG}/team/app:v1.0.0`,
    ]);
    assert.equal(out[7], `[${REG}] finished with FAILURES: 0 copied, 0 up to date, 0 failed, 1 selection error, 0 B in 9ms`);
  });

  it('-v names every repository and tag a filter dropped, with the filter and the reason', () => {
    const out = plain(true);
    const at = out.findIndex((l) => l.includes('mirrors[0] src.example'));
    assert.deepEqual(out.slice(at + 1, at + 5), [
      '    dropped repository team/old by exclude: matches exclude "team/old"',
      '    dropped team/app:main by semver: not a semantic version',
      '    dropped team/app:v0.9.0 by semver: outside ">=1"',
      '    dropped team/db:v1.0.0 by latest: not among the 1 highest versions',
    ]);
  });

  it('the summary counts selection errors with the image lists and lists them; a warning is not a failure', () => {
    const out = plain(false);
    const summary = out.slice(out.indexOf('run finished with FAILURES') + 1);
    assert.deepEqual(summary, [
      'images: 1 would copy, 0 up to date, 0 failed (dry run)',
      'image lists: 0 syncer scripts failed, 0 invalid lines, 1 selection error',
      'bytes moved: 0 B',
      'time: 9ms',
      'image list problems (1):',
      `  [${REG}] ${REG}/team/app:v1 is selected from different sources: a (mirrors[0]) and b (mirrors[1]); ...`,
    ]);
  });

  it('the live view shows the listing phase: repositories and tags found so far, across rules', () => {
    const model = new LiveModel();
    const events = dryRun();
    for (const event of events.slice(0, 4)) model.apply(event);
    model.apply({
      type: 'tags-found',
      registry: REG,
      source: SRC,
      rule: 'mirrors[0]',
      repository: 'team/app',
      found: 9,
      total: 9,
      time: T0 + 3,
    });
    model.apply({
      type: 'tags-found',
      registry: REG,
      source: SRC,
      rule: 'mirrors[2]',
      repository: 'solo/repo',
      found: 5,
      total: 5,
      time: T0 + 3,
    });
    assert.equal(renderLive(model.view(T0 + 10), 100, 0)[0], `⠋ ${REG}  listing images… 3 repositories, 14 tags found so far`);
    for (const event of events.slice(4, 8)) model.apply(event);
    assert.match(
      renderLive(model.view(T0 + 10), 100, 0)[0] ?? '',
      /^⠋ mirror\.example:5000 {2}0 copied, 0 up to date, 0 failed of 1, 1 selection error/,
    );
  });
});
