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
 *
 * The young generation stays at its first size (1 MiB per semi-space) instead of growing to V8's
 * 16 MiB: a copy allocates fast (a chunk object per 64 KiB of every blob stream, request and event
 * objects) but keeps little (the heap holds 15-25 MiB live at 300 images), and V8 grows the young
 * generation on survival, so a run of 16 blob streams took it to 32 MiB committed, most of it
 * garbage. Worse, each dead chunk's memory (outside the JS heap) is freed only when a scavenge
 * finds its object: a larger young generation let 25-35 MiB of dead blob chunks wait at once. The
 * 4x benchmark row peaked 15-20 MB lower with this and used no more CPU (README, Benchmark). The
 * flag is read whenever V8 considers growing the space, so setting it here (before the copy) works;
 * `--max-semi-space-size` would not, once the heap exists.
 */
export function tuneForOneShotRun(): void {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--semi-space-growth-factor=1');
}
