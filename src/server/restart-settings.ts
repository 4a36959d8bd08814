import type { PictureBookConfig } from '../config/index.js';

/** Settings a running server cannot change on reload: where it listens, its database, its engine limits. */
export function settingsNeedingRestart(running: PictureBookConfig, next: PictureBookConfig): string[] {
  const changed: string[] = [];
  if (running.api.enabled !== next.api.enabled) changed.push('api.enabled');
  if (running.api.host !== next.api.host) changed.push('api.host');
  if (running.api.port !== next.api.port) changed.push('api.port');
  if (running.state.path !== next.state.path) changed.push('state.path');
  if (running.concurrency.images !== next.concurrency.images) changed.push('concurrency.images');
  if (running.concurrency.blobs !== next.concurrency.blobs) changed.push('concurrency.blobs');
  if (JSON.stringify(running.timeouts ?? {}) !== JSON.stringify(next.timeouts ?? {})) changed.push('timeouts');
  if (JSON.stringify(running.queue ?? {}) !== JSON.stringify(next.queue ?? {})) changed.push('queue');
  return changed;
}
