import { hostname } from 'node:os';
import { ConfigError } from '../errors/index.js';
import type { SharedRunStore } from '../queue/index.js';
import type { ServiceEvent } from './service-events.js';

/** A `sync` server's name among the servers of a queue: stable across restarts, so it knows its earlier runs as its own. */
export function syncServerName(statePath: string): string {
  return `${hostname()}:${statePath}`;
}

/**
 * Takes the server's name in the queue before anything of it is shared. Two live servers of one
 * name (the same host name and `state.path`: two containers of one fixed host name, or two
 * servers given one database) would count each other's runs as their own: the second one stops
 * with an error saying what to change. A name whose alive key a killed server left is waited for.
 * Later, a namesake that took the name while this server's key had lapsed keeps it: this server
 * logs `server-name-lost` (and /healthz says so) rather than share it.
 */
export async function joinAsNamed(
  store: SharedRunStore,
  config: { file: string; queueName: string },
  emit: (event: ServiceEvent) => void,
): Promise<void> {
  const waiting = (): void =>
    emit({
      type: 'server-warning',
      message: `another process said lately it is the sync server ${store.server} of queue "${config.queueName}"; waiting (at most 30 s) until it says so again (it is alive: this server stops) or its word lapses (it was killed: this server goes on)`,
      time: Date.now(),
    });
  const lost = (): void => emit({ type: 'server-name-lost', server: store.server, queue: config.queueName, time: Date.now() });
  if ((await store.join(waiting, lost)) !== 'taken') return;
  throw new ConfigError([
    {
      file: config.file,
      line: 0,
      column: 0,
      path: 'state.path',
      message: `another live sync server of queue "${config.queueName}" has this server's name ${store.server} (host name ${hostname()} and state.path): two servers of one name would count each other's runs as their own; give this server a state.path of its own (or a host name of its own)`,
    },
  ]);
}
