import { setFlagsFromString } from 'node:v8';

/**
 * For commands that run once and exit (`load`, `copy`), not for the long-running `sync` server.
 *
 * undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it quickly with Liftoff, then
 * recompiles the hot parts with TurboFan on a background thread, and Node waits for that thread
 * before the process may exit. On a short run this costs about 200 ms of CPU and up to 200 ms of
 * wall time after the last response, for parsing that Liftoff code does fast enough (HTTP headers
 * and body framing; the bytes themselves are not touched by it). Must run before the first request:
 * undici compiles llhttp when it opens its first connection.
 */
export function tuneForOneShotRun(): void {
  setFlagsFromString('--liftoff-only');
}
