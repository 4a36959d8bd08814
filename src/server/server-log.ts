import { pino, type Logger } from 'pino';
import { configSecrets, type PictureBookConfig } from '../config/index.js';
import { processScrubber, type SecretScrubber } from '../errors/secret-scrubber.js';
import { describeServerEvent } from './describe-server-event.js';
import type { ServerEvent } from './sync-service.js';

/** Copy and listing events too frequent for a server log (a large layer, or a registry of many repositories, would flood it). */
const NOISY = new Set([
  'blob-started',
  'blob-progress',
  'blob-done',
  'blob-skipped',
  'blob-mounted',
  'manifest-written',
  'repositories-found',
  'tags-found',
  'repository-selected',
  'host-quota',
]);
const WARN = new Set([
  'work-not-resumed',
  'sync-tick-skipped',
  'sync-store-failed',
  'config-rejected',
  'server-warning',
  'image-failed',
  'target-failed',
  'registry-script-failed',
  'registry-line-invalid',
  'selection-problem',
  'retry',
  'warning',
  'referrers-not-listed',
  'referrer-failed',
  'host-paused',
  'notification-failed',
  'queue-unreachable',
  'queue-abandoned',
  'copy-job-stalled',
  'copy-job-lost',
]);
/** Needs someone to act: the server goes on, but not as it should. */
const ERROR = new Set(['server-name-lost']);

/**
 * The sync server's log: one JSON line per event on stdout (pino). Events carry no secrets by
 * design; as a second line of defence every line goes through the process's secret scrubber (the
 * configuration's secrets, running jobs' credentials, any Basic or Bearer credential), since a
 * registry's error body can echo what it was sent.
 */
export class ServerLog {
  readonly logger: Logger;
  #scrubber: SecretScrubber;

  constructor(out: NodeJS.WritableStream = process.stdout, scrubber: SecretScrubber = processScrubber) {
    this.#scrubber = scrubber;
    this.logger = pino(
      { base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      { write: (line: string) => void out.write(scrubber.scrub(line)) },
    );
  }

  /** Secrets of a (re)loaded configuration; earlier ones stay scrubbed too (old lines may still be about them). */
  addSecrets(config: PictureBookConfig): void {
    this.#scrubber.addAll(configSecrets(config));
  }

  event(event: ServerEvent): void {
    if (NOISY.has(event.type)) return;
    const { type, time: _time, ...fields } = event;
    // A rule's dropped names go to `load -v` and the JSON log; every sync run would repeat them here (its counts stay).
    if (event.type === 'rule-selected') {
      delete (fields as Partial<typeof event>).droppedRepositories;
      delete (fields as Partial<typeof event>).droppedTags;
    }
    this.logger[ERROR.has(type) ? 'error' : WARN.has(type) ? 'warn' : 'info']({ event: type, ...fields }, describeServerEvent(event));
  }
}
