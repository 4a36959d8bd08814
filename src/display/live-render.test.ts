import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActiveImage, LiveView, RegistryState } from './live-model.js';
import { renderLive } from './live-render.js';

const MIB = 1024 * 1024;
const registry = (over: Partial<RegistryState>): RegistryState => ({
  name: 'reg',
  status: 'active',
  ok: true,
  listed: 4,
  copied: 0,
  upToDate: 0,
  failed: 0,
  cancelled: 0,
  invalidLines: 0,
  selectionErrors: 0,
  wouldCopy: 0,
  bytes: 0,
  scriptError: undefined,
  listing: undefined,
  referrers: { copied: 0, present: 0, failed: 0 },
  ...over,
});
const image = (over: Partial<ActiveImage>): ActiveImage => ({
  registry: 'a:5000',
  source: 'src/x',
  target: 'a:5000/m/x:v1',
  startedAt: 0,
  totalBytes: 10 * MIB,
  doneBytes: 5 * MIB,
  streamedBytes: 4 * MIB,
  ...over,
});
const view = (over: Partial<LiveView>): LiveView => ({
  now: 2000,
  startedAt: 0,
  dryRun: false,
  registries: [],
  images: [],
  totals: { done: 0, listed: 0, bytes: 0 },
  ...over,
});

describe('renderLive', () => {
  it('draws registries, their active images and the overall line', () => {
    const lines = renderLive(
      view({
        registries: [
          registry({ name: 'a:5000', copied: 1, upToDate: 2, bytes: 6 * MIB }),
          registry({ name: 'b:5000', status: 'finished', ok: false, listed: 2, copied: 1, failed: 1, bytes: 3 * MIB }),
          registry({ name: 'c:5000', status: 'pending', listed: undefined }),
          registry({ name: 'd:5000', listed: undefined }),
        ],
        images: [image({})],
        totals: { done: 5, listed: 6, bytes: 9 * MIB },
      }),
      100,
      1,
    );
    assert.deepEqual(lines, [
      '⠙ a:5000  1 copied, 2 up to date, 0 failed of 4  6.00 MiB',
      '    a:5000/m/x:v1  5.00 MiB / 10.0 MiB  2.00 MiB/s  [#####-----]',
      '✖ b:5000  1 copied, 0 up to date, 1 failed of 2  3.00 MiB',
      '· c:5000  waiting',
      '⠙ d:5000  listing images…',
      '  all registries: 5/6 images  9.00 MiB  4.50 MiB/s  2.0s',
    ]);
  });

  it('cycles the spinner frame and marks a finished ok registry with ✔', () => {
    const registries = [registry({ name: 'a' }), registry({ name: 'b', status: 'finished' })];
    const first = renderLive(view({ registries }), 80, 0);
    const next = renderLive(view({ registries }), 80, 11);
    assert.equal(first[0]?.slice(0, 1), '⠋');
    assert.equal(next[0]?.slice(0, 1), '⠙');
    assert.equal(first[1]?.slice(0, 1), '✔');
  });

  it('shows a failed syncer script on the registry line', () => {
    const [line] = renderLive(
      view({
        registries: [registry({ name: 'a', status: 'finished', ok: false, scriptError: 'syncer script "x" exited with code 3: oops' })],
      }),
      80,
      0,
    );
    assert.equal(line, '✖ a  syncer script "x" exited with code 3: oops');
  });

  it('counts the referrers that followed the finished images on the registry line', () => {
    const [line] = renderLive(
      view({ registries: [registry({ name: 'a', copied: 1, upToDate: 1, referrers: { copied: 2, present: 1, failed: 1 } })] }),
      120,
      0,
    );
    assert.equal(line, '⠋ a  1 copied, 1 up to date, 0 failed of 4  0 B  referrers 4 found: 2 copied, 1 already there, 1 failed');
  });

  it('counts "would copy" on a dry run', () => {
    const [line] = renderLive(view({ registries: [registry({ name: 'a', wouldCopy: 3, upToDate: 1 })] }), 80, 0);
    assert.equal(line, '⠋ a  3 would copy, 1 up to date, 0 failed of 4  0 B');
  });

  it('keeps the tail of a long target so the line fits the width', () => {
    const target = `registry.example.com:5000/${'deep/'.repeat(12)}library/app:v1.2.3`;
    const lines = renderLive(view({ registries: [registry({ name: 'a:5000' })], images: [image({ target })] }), 70, 0);
    assert.equal(lines[1], '    …library/app:v1.2.3  5.00 MiB / 10.0 MiB  2.00 MiB/s  [#####-----]');
    assert.equal(lines[1].length, 70);
  });

  it('never draws a line longer than the width', () => {
    const lines = renderLive(
      view({
        registries: [registry({ name: 'x'.repeat(150), scriptError: 'y'.repeat(200) })],
        images: [image({ registry: 'x'.repeat(150) })],
      }),
      40,
      0,
    );
    assert.ok(
      lines.every((l) => l.length <= 40),
      lines.join('\n'),
    );
    assert.ok(lines[0]?.endsWith('…'));
  });

  it('shows an empty bar and no rate before anything is known', () => {
    const lines = renderLive(
      view({ now: 0, registries: [registry({ name: 'a:5000' })], images: [image({ totalBytes: 0, doneBytes: 0, streamedBytes: 0 })] }),
      100,
      0,
    );
    assert.equal(lines[1], '    a:5000/m/x:v1  0 B / 0 B  -  [----------]');
  });

  it('folds image lines beyond the screen height into "… and N more"', () => {
    const images = Array.from({ length: 6 }, (_, i) => image({ target: `a:5000/m/img${i}:v1` }));
    const lines = renderLive(view({ registries: [registry({ name: 'a:5000' })], images }), 100, 0, 5);
    assert.equal(lines.length, 5);
    assert.deepEqual(
      lines.slice(1, 4).map((l) => l.trim().split(' ')[0]),
      ['a:5000/m/img0:v1', 'a:5000/m/img1:v1', '…'],
    );
    assert.equal(lines[3], '    … and 4 more');
  });
});
