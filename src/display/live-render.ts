import type { ActiveImage, LiveView, RegistryState } from './live-model.js';
import { imageCountsPhrase, listProblems } from './event-lines.js';
import { referrerCountsPhrase } from './summary.js';
import { escapeControl, shortenStart, truncate } from './terminal.js';
import { formatBytes, formatDuration, formatRate } from './units.js';

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 10;

/**
 * The live block: per registry its line and its active images, then the overall line. Pure, so
 * tests can pin exact lines. No line is longer than `width`; `maxLines` (the terminal's height)
 * folds surplus image lines into "… and N more", as a block taller than the screen cannot be
 * redrawn in place.
 */
export function renderLive(view: LiveView, width: number, frame: number, maxLines = Infinity): string[] {
  const spinner = SPINNER_FRAMES[frame % SPINNER_FRAMES.length] ?? '*';
  const busy = view.registries.filter((r) => view.images.some((i) => i.registry === r.name)).length;
  const room = maxLines - view.registries.length - 1;
  const perRegistry = busy === 0 ? 0 : Math.max(1, Math.floor(room / busy));
  const lines: string[] = [];
  for (const registry of view.registries) {
    lines.push(registryLine(registry, spinner));
    const images = view.images.filter((i) => i.registry === registry.name);
    const shown = images.length > perRegistry ? images.slice(0, perRegistry - 1) : images;
    for (const image of shown) lines.push(imageLine(image, view.now, width));
    if (shown.length < images.length) lines.push(`    … and ${images.length - shown.length} more`);
  }
  lines.push(overallLine(view));
  return lines.map((line) => truncate(escapeControl(line), width));
}

/** A registry's line: spinner while running, ✔ or ✖ once finished. */
export function registryLine(registry: RegistryState, spinner: string): string {
  const mark = registry.status === 'pending' ? '·' : registry.status === 'active' ? spinner : registry.ok ? '✔' : '✖';
  const name = registry.name || '(unknown registry)';
  if (registry.scriptError !== undefined) return `${mark} ${name}  ${registry.scriptError}`;
  if (registry.status === 'pending') return `${mark} ${name}  waiting`;
  if (registry.listed === undefined && registry.status === 'active') {
    const found = registry.listing;
    const so = found
      ? ` ${found.repositories} ${found.repositories === 1 ? 'repository' : 'repositories'}, ${found.tags} ${found.tags === 1 ? 'tag' : 'tags'} found so far`
      : '';
    return `${mark} ${name}  listing images…${so}`;
  }
  const first = registry.wouldCopy > 0 ? `${registry.wouldCopy} would copy` : undefined;
  const of = registry.listed === undefined ? '' : ` of ${registry.listed}`;
  const referrers = referrerCountsPhrase(registry.referrers);
  const signed = referrers && registry.wouldCopy === 0 ? `  referrers ${referrers}` : '';
  return `${mark} ${name}  ${imageCountsPhrase(registry, first)}${of}${listProblems(registry)}  ${formatBytes(registry.bytes)}${signed}`;
}

function imageLine(image: ActiveImage, now: number, width: number): string {
  const fraction = image.totalBytes > 0 ? image.doneBytes / image.totalBytes : 0;
  const filled = Math.min(BAR_WIDTH, Math.floor(fraction * BAR_WIDTH));
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const stats = `  ${formatBytes(image.doneBytes)} / ${formatBytes(image.totalBytes)}  ${formatRate(image.streamedBytes, now - image.startedAt)}  ${bar}`;
  const indent = '    ';
  return indent + shortenStart(image.target, Math.max(12, width - indent.length - stats.length)) + stats;
}

function overallLine(view: LiveView): string {
  const { done, listed, bytes } = view.totals;
  const elapsed = view.now - view.startedAt;
  return `  all registries: ${done}/${listed} images  ${formatBytes(bytes)}  ${formatRate(bytes, elapsed)}  ${formatDuration(elapsed)}`;
}
