import type { Readable, Transform } from 'node:stream';

/** An undici body destroyed before its end emits 'error'; one with no listener kills the process. */
export function destroyQuietly(stream: Readable | Transform | undefined): void {
  if (!stream || stream.destroyed) return;
  stream.on('error', () => {});
  stream.destroy();
}
