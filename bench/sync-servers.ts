import { join } from 'node:path';
import { makeTempDir } from '../test/harness/procs.js';
import { apiPort, startSync, until, writeConfig, type LogLine, type SyncProcess } from '../test/e2e/sync-kit.js';
import { probeEnv, probeReports, type ProbeFigures } from './process-figures.js';

/** What makes two runs need two servers: the `sync` configuration (mode, images, concurrency). */
export interface ServerShape {
  queued: boolean;
  paths: readonly string[];
  concurrency: object;
}

/** One run a server made: its end line, its log lines, and the server's own figures over it (process-probe.ts). */
export interface ServerRun {
  finished: LogLine;
  logs: LogLine[];
  probe: ProbeFigures;
}

/**
 * The row's `picture-book sync` servers, long-running as deployed: one per shape, started at its
 * first run with an entry for every target host (runs are fired through the API, `POST
 * /ops?sync=HOST&action=run`; no schedule, no run at start) and stopped at the end. A fresh process
 * per run put its start-up in the run it measured: code not yet optimised, and the first full
 * garbage collection (20 ms seen mid-run), on the cores the run needs.
 */
export class SyncServers {
  #servers = new Map<string, Promise<SyncProcess>>();

  constructor(
    private readonly setting: {
      hosts: readonly string[];
      redisUrl: string;
      timeoutMs: number;
      /** The registries entry of `host` for `paths` (every server's entry of a host names the same repository). */
      entry: (host: string, paths: readonly string[]) => object;
    },
  ) {}

  /** A run of `shape`'s server into `host`, to its end; throws when it did not succeed. */
  async run(shape: ServerShape, host: string, what: string): Promise<ServerRun> {
    const server = await this.#server(shape);
    const from = server.logs.length;
    const reports = probeReports(server.stderr).length;
    const ofThisRun = (event: string) => (l: LogLine) => l.event === event && l.registry === host;
    // The probe's figures from the run's start (the server's idle time before it is not the run's).
    const started = server
      .waitForLog(ofThisRun('sync-run-started'), `${what} to start`, from, this.setting.timeoutMs)
      .then(() => server.signal('SIGUSR2'));
    // Awaited once the run ended; a run that failed to fire throws first, and this must not stay unhandled.
    started.catch(() => undefined);
    const fired = await server.api(`/ops?sync=${encodeURIComponent(host)}&action=run`, { method: 'POST' });
    if (fired.status !== 202) throw new Error(`${what}: the run could not be fired (${fired.status} ${fired.text})`);
    const finished = await server.waitForLog(ofThisRun('sync-run-finished'), `${what} to finish`, from, this.setting.timeoutMs);
    await started;
    const logs = server.logs.slice(from);
    if (finished.result !== 'succeeded')
      throw new Error(
        `${what} ${String(finished.result)}: ${logs
          .filter((l) => l.level !== 'info')
          .slice(0, 3)
          .map((l) => l.msg)
          .join('; ')}`,
      );
    // The start's report is written before the end is asked for: a second signal while the first is pending would be lost.
    await until(() => probeReports(server.stderr).length > reports || undefined, `the probe report at ${what}'s start`, 10_000);
    server.signal('SIGUSR2');
    const probe = await until(() => probeReports(server.stderr)[reports + 1], `the probe report at ${what}'s end`, 10_000);
    return { finished, logs, probe };
  }

  async stopAll(): Promise<void> {
    const servers = await Promise.allSettled([...this.#servers.values()]);
    this.#servers.clear();
    await Promise.all(servers.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])));
  }

  #server(shape: ServerShape): Promise<SyncProcess> {
    const key = JSON.stringify([shape.queued, shape.concurrency, shape.paths]);
    let server = this.#servers.get(key);
    if (!server) this.#servers.set(key, (server = this.#start(shape)));
    return server;
  }

  async #start(shape: ServerShape): Promise<SyncProcess> {
    const home = await makeTempDir('bench-queue-sync');
    const port = await apiPort();
    const config = {
      registries: this.setting.hosts.map((host) => this.setting.entry(host, shape.paths)),
      api: { enabled: true, port },
      state: { path: join(home, 'state.db') },
      sync: { runOnStart: false },
      concurrency: shape.concurrency,
      ...(shape.queued ? { queue: { url: this.setting.redisUrl } } : {}),
    };
    return startSync(await writeConfig(home, config), { port, cwd: home, env: probeEnv() });
  }
}
