import type { HistoryRun } from '../../lib/api-types.js';
import { duration, rate } from '../../lib/format.js';
import { h, s } from '../dom.js';

const WIDTH = 600;
const HEIGHT = 140;
const PAD = 6;

/**
 * Duration (bars) and throughput (dots joined by a line) of runs, oldest left: one glance says
 * whether runs get slower or the network did. Runs still going are left out.
 */
export function runChart(newestFirst: HistoryRun[]): HTMLElement | null {
  const runs = newestFirst.filter((r) => r.durationMs !== null).reverse();
  if (runs.length < 2) return null;
  const longest = Math.max(...runs.map((r) => r.durationMs ?? 0), 1);
  const fastest = Math.max(...runs.map((r) => r.bytesPerSecond ?? 0), 1);
  const slot = (WIDTH - 2 * PAD) / runs.length;
  const y = (fraction: number) => HEIGHT - PAD - fraction * (HEIGHT - 2 * PAD);
  const points = runs.map((r, i) => [PAD + slot * (i + 0.5), y((r.bytesPerSecond ?? 0) / fastest)] as const);
  return h(
    'figure',
    { class: 'chart' },
    s(
      'svg',
      { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': 'Duration and throughput of each run' },
      runs.map((r, i) => {
        const top = y((r.durationMs ?? 0) / longest);
        return s(
          'rect',
          {
            class: `bar result-${r.result}`,
            x: PAD + slot * i + slot * 0.15,
            y: top,
            width: slot * 0.7,
            height: Math.max(HEIGHT - PAD - top, 1),
          },
          s('title', {}, `run ${r.id}: ${duration(r.durationMs ?? 0)}, ${rate(r.bytesPerSecond ?? 0)} (${r.result})`),
        );
      }),
      s('polyline', { class: 'throughput', points: points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ') }),
      points.map(([px, py]) => s('circle', { class: 'throughput-dot', cx: px.toFixed(1), cy: py.toFixed(1), r: 3 })),
    ),
    h(
      'figcaption',
      { class: 'legend' },
      h('span', { class: 'key key-bar' }, `duration (tallest ${duration(longest)})`),
      h('span', { class: 'key key-line' }, `throughput (highest ${rate(fastest)})`),
      h('span', { class: 'muted' }, `${runs.length} runs, oldest left`),
    ),
  );
}
