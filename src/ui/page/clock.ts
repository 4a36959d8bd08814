import { absolute, relative } from '../lib/format.js';
import { h } from './dom.js';

/** The server's clock as the page knows it: relative times and deadlines agree with the server's. */
let offset = 0;

export function serverNow(): number {
  return Date.now() + offset;
}

/** Each answer carries the server's time: the page follows it. */
export function learnServerTime(iso: string | null | undefined): void {
  const at = iso ? Date.parse(iso) : NaN;
  if (!Number.isNaN(at)) offset = at - Date.now();
}

/** "in 4 min", kept current every second; the exact time (in `timezone`) as its tooltip. */
export function relativeTime(iso: string | null, timezone: string): HTMLElement | string {
  if (iso === null) return '—';
  const at = Date.parse(iso);
  return h('time', { class: 'rel', datetime: iso, 'data-at': at, title: absolute(at, timezone) }, relative(at, serverNow()));
}

/** "in 4 min (6 May 2025, 10:15:20 UTC)" */
export function relativeAndAbsolute(iso: string | null, timezone: string): Array<HTMLElement | string> {
  if (iso === null) return ['—'];
  return [relativeTime(iso, timezone), h('span', { class: 'abs' }, ` (${absolute(Date.parse(iso), timezone)})`)];
}

/** Rewrites every relative time on the page. */
export function refreshRelativeTimes(root: ParentNode = document): void {
  const now = serverNow();
  for (const element of root.querySelectorAll<HTMLElement>('time.rel[data-at]')) {
    const text = relative(Number(element.dataset.at), now);
    if (element.textContent !== text) element.textContent = text;
  }
}
