import { PassThrough, type Readable } from 'node:stream';
import { destroyQuietly } from './destroy-quietly.js';

/**
 * One source read, several readers: `count` PassThrough branches that each get every byte of
 * `source`. The source moves at the pace of the slowest branch (a chunk goes on once every branch
 * took it, or drained). A branch its reader destroys (its upload failed) is dropped and the others
 * go on; once every branch is gone the source is destroyed. A source that fails fails every
 * branch still open. Nothing is held beyond each branch's own buffer.
 */
export function teeStream(source: Readable, count: number, highWaterMark?: number): PassThrough[] {
  const branches = Array.from({ length: count }, () => new PassThrough(highWaterMark === undefined ? {} : { highWaterMark }));
  const live = new Set(branches);
  for (const branch of branches)
    branch.once('close', () => {
      live.delete(branch);
      // The last reader left while the source had nothing to give: stop waiting on it.
      if (live.size === 0) destroyQuietly(source);
    });
  void pump(source, live);
  return branches;
}

async function pump(source: Readable, live: Set<PassThrough>): Promise<void> {
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      // A branch destroyed just now says so on 'close' a tick later: not one more chunk for it.
      for (const branch of live) if (branch.destroyed) live.delete(branch);
      if (live.size === 0) {
        // Nobody reads on: stop the source (its GET) quietly, as breaking out would with an AbortError.
        destroyQuietly(source);
        return;
      }
      await Promise.all([...live].map((branch) => write(branch, chunk)));
    }
  } catch (error) {
    for (const branch of live) branch.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  for (const branch of live) branch.end();
}

/** Resolves when `branch` took the chunk (or drained after it), or is gone. */
function write(branch: PassThrough, chunk: Buffer): Promise<void> {
  if (branch.destroyed || branch.writableEnded) return Promise.resolve();
  if (branch.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      branch.off('drain', done);
      branch.off('close', done);
      resolve();
    };
    branch.on('drain', done);
    branch.on('close', done);
  });
}
