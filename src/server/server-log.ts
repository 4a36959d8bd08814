import { pino, type Logger } from 'pino';
import type { PictureBookConfig } from '../config/index.js';
import { environmentSecrets, MIN_SECRET_LENGTH } from '../config/redact.js';
import { describeServerEvent } from './describe-server-event.js';
import type { ServerEvent } from './sync-service.js';

/** Copy events too frequent for a server log (a large layer would flood it). */
const NOISY = new Set(['blob-started', 'blob-progress', 'blob-done', 'blob-skipped', 'blob-mounted', 'manifest-written']);
const WARN = new Set(['work-not-resumed', 'sync-tick-skipped', 'sync-store-failed', 'config-rejected', 'server-warning', 'image-failed', 'registry-script-failed', 'registry-line-invalid', 'retry', 'warning']);

/**
 * Every secret string a configuration holds: the API token, registry and source passwords, and every value
 * taken from an environment variable outside the identity fields (e.g. a key in syncerScriptArgs).
 */
export function configSecrets(config: PictureBookConfig): string[] {
  const secrets = [config.api.authToken, ...environmentSecrets(config)];
  const auths = [...config.registries.flatMap((r) => [r.pullAuth, r.pushAuth]), ...[...(config.sources?.values() ?? [])].map((s) => s.auth)];
  for (const auth of auths) {
    if (auth?.kind === 'userpass') secrets.push(auth.credentials.password);
    if (auth?.kind === 'docker-config') for (const credentials of auth.auths.values()) secrets.push(credentials.password);
  }
  return secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
}

/**
 * The sync server's log: one JSON line per event on stdout (pino). Events carry no secrets by
 * design; as a second line of defence every line is scrubbed of the configuration's secrets.
 */
export class ServerLog {
  #secrets = new Set<string>();
  readonly logger: Logger;

  constructor(out: NodeJS.WritableStream = process.stdout) {
    const scrub = (line: string) => {
      let text = line;
      for (const secret of this.#secrets) text = text.split(secret).join('***');
      return text;
    };
    this.logger = pino(
      { base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      { write: (line: string) => void out.write(scrub(line)) },
    );
  }

  /** Secrets of a (re)loaded configuration; earlier ones stay scrubbed too. */
  addSecrets(config: PictureBookConfig): void {
    for (const secret of configSecrets(config)) this.#secrets.add(secret);
  }

  event(event: ServerEvent): void {
    if (NOISY.has(event.type)) return;
    const { type, time: _time, ...fields } = event;
    this.logger[WARN.has(type) ? 'warn' : 'info']({ event: type, ...fields }, describeServerEvent(event));
  }
}
