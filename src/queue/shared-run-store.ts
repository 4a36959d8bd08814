import type { RunFinish, RunPage, RunRecord, RunStore, RunSummary, RunTrigger } from '../store/index.js';
import { type NameClaim, type SharedRunSummary, type SharedRuns, SHARED_RUNS } from './shared-runs.js';

/** The counts of a run going on that its republished summary carries. */
const PROGRESS_COUNTS = ['copied', 'upToDate', 'failed', 'cancelled', 'skipped', 'bytes'] as const;
export type RunProgress = Pick<RunSummary, (typeof PROGRESS_COUNTS)[number]>;

const newestFirst = (a: RunSummary, b: RunSummary): number => b.startedAt - a.startedAt || b.id - a.id;
const failedRun = (r: RunSummary): boolean => r.result === 'failed' || r.result === 'interrupted' || r.failed > 0;

/**
 * A server's own store (SQLite) that also shows the runs of the other `sync` servers sharing its
 * queue: run ids come from one counter in Redis, each run is published there as it starts and
 * ends, and the reads of run history (lists, summaries, a run's details) merge the other servers'
 * published runs (the newest SHARED_RUNS) into this server's own. Everything else is its own store's.
 */
export class SharedRunStore implements RunStore {
  readonly #own: RunStore;
  readonly #shared: SharedRuns;
  /**
   * Whose runs are whose: a name that outlives the process (the host and the state path), so a
   * restarted server knows its earlier runs as its own.
   */
  readonly server: string;
  /** This server's runs going on, as last published. */
  readonly #started = new Map<number, SharedRunSummary>();
  /** Runs whose progress is on its way to Redis: no other is sent for them until it arrived. */
  readonly #publishing = new Set<number>();
  /** The other servers' publish counts as last read (changedElsewhere). */
  #changes: Record<string, string> | undefined;
  #stopLiving: (() => Promise<void>) | undefined;
  #nameLost = false;

  constructor(own: RunStore, shared: SharedRuns, server: string) {
    this.#own = own;
    this.#shared = shared;
    this.server = server;
  }

  /**
   * Takes this server's name among the servers of the queue, then says every few seconds that it is
   * alive (when that lapses, the server was killed: the others show its running runs as interrupted).
   * `taken`: another live process has the name (it would count this one's runs as its own); nothing
   * was started. Redis silent: it goes on (the alive key is written once Redis answers, unless a
   * namesake holds it then). `onLost`: another process holds the name now (see `nameLost`).
   */
  async join(onWait: () => void, onLost: () => void): Promise<NameClaim> {
    const claim = await this.#shared.claimName(this.server, onWait);
    if (claim !== 'taken')
      this.#stopLiving = this.#shared.keepAlive(this.server, () => {
        this.#nameLost = true;
        onLost();
      });
    return claim;
  }

  /**
   * Another process took this server's name while its alive key had lapsed (or before Redis
   * answered at start): the name is that process's now. Runs started from then on are not published
   * (they would be taken for the other's); a run published before ends there as it ends here, so it
   * does not stay `running` in the others' views. Reads and the rest go on as before.
   */
  get nameLost(): boolean {
    return this.#nameLost;
  }

  /** A stop, not a death: the others no longer wait for this server's alive key to lapse. Before the queue's connection closes. */
  async leave(): Promise<void> {
    await this.#stopLiving?.();
  }

  /** Closes the runs a dead process left `running` in this store, and publishes them closed (the others showed them running). */
  async closeInterruptedRuns(endedAt: number, crashLimit?: number): ReturnType<RunStore['closeInterruptedRuns']> {
    const running = ((await this.#own.listRunPage({ limit: SHARED_RUNS }))?.runs ?? []).filter((r) => r.result === 'running');
    const closed = await this.#own.closeInterruptedRuns(endedAt, crashLimit);
    for (const { id } of running) {
      const record = await this.#own.getRun(id);
      if (!record) continue;
      const { images, ...summary } = record;
      await this.#shared.publish({ ...summary, server: this.server }, { ...summary, images });
    }
    return closed;
  }

  get ownership(): RunStore['ownership'] {
    return this.#own.ownership;
  }

  async startRun(registry: string, trigger: RunTrigger, startedAt: number): Promise<number> {
    const newest = (await this.#own.listRunPage({ limit: 1 }))?.runs[0]?.id ?? 0;
    const wanted = await this.#shared.nextId(newest);
    // Redis silent, or an id this store already holds (Redis lost its counter): the store's own next id.
    const id =
      wanted === undefined
        ? await this.#own.startRun(registry, trigger, startedAt)
        : await this.#own.startRun(registry, trigger, startedAt, wanted).catch(() => this.#own.startRun(registry, trigger, startedAt));
    const summary: SharedRunSummary = {
      ...{ id, registry, trigger, startedAt, endedAt: null, result: 'running', error: null, server: this.server },
      ...{ copied: 0, upToDate: 0, failed: 0, cancelled: 0, skipped: 0, pruned: 0, bytes: 0 },
      referrers: { copied: 0, present: 0, failed: 0 },
    };
    if (this.#nameLost) return id;
    this.#started.set(id, summary);
    await this.#shared.publish(summary);
    return id;
  }

  /**
   * A run of this server going on moved on: its summary is published again with these counts, so
   * the other servers show it progressing. Sent only when they changed and no earlier one is still
   * on its way (the caller calls it at most once a second per run); after the run's end, nothing.
   */
  progress(id: number, counts: RunProgress): void {
    const published = this.#started.get(id);
    if (!published || this.#publishing.has(id)) return;
    if (PROGRESS_COUNTS.every((k) => published[k] === counts[k])) return;
    const summary = { ...published, ...counts };
    this.#started.set(id, summary);
    this.#publishing.add(id);
    void this.#shared.publishProgress(summary).finally(() => this.#publishing.delete(id));
  }

  /**
   * The registries whose runs on other servers changed (started, moved on, ended) since the last
   * call (the first call: every registry with runs on other servers). Redis silent: none.
   */
  async changedElsewhere(): Promise<string[]> {
    const changes = await this.#shared.changes();
    if (!changes) return [];
    // The first call tells every registry with runs elsewhere: what changed before it is not swallowed.
    const before = this.#changes ?? {};
    this.#changes = changes;
    const changed = new Set<string>();
    for (const [field, count] of Object.entries(changes)) {
      const [server, registry] = [field.slice(0, field.indexOf('\n')), field.slice(field.indexOf('\n') + 1)];
      if (server !== this.server && before[field] !== count) changed.add(registry);
    }
    return [...changed];
  }

  async finishRun(id: number, finish: RunFinish): Promise<void> {
    // Forgotten first: no progress is sent after this (one sent before reaches Redis before the end, on the same connection).
    const started = this.#started.get(id);
    this.#started.delete(id);
    await this.#own.finishRun(id, finish);
    const record = await this.#own.getRun(id);
    if (!started || !record) return;
    const { images, ...summary } = record;
    await this.#shared.publish({ ...summary, server: this.server }, { ...summary, images });
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const own = await this.#own.getRun(id);
    if (own) return own;
    const record = await this.#shared.record(id);
    if (record) return record;
    const running = (await this.#others()).find((r) => r.id === id);
    return running ? { ...withoutServer(running), images: [] } : undefined;
  }

  async listRuns(registry: string, limit: number): Promise<RunSummary[]> {
    const own = await this.#own.listRuns(registry, limit);
    return merge(
      own,
      (await this.#others()).filter((r) => r.registry === registry),
      limit,
    );
  }

  async registrySummary(registry: string): Promise<{ runs: number; lastRun: RunSummary | undefined }> {
    const own = await this.#own.registrySummary(registry);
    const others = (await this.#others()).filter((r) => r.registry === registry);
    // A run published under another name may be this store's own (the server was renamed: a new
    // host name or state path); Redis's shared runs are the newest, so this store's newest hold it.
    const ownIds = new Set(((await this.#own.listRunPage({ registry, limit: SHARED_RUNS }))?.runs ?? []).map((r) => r.id));
    const lastRun = merge(own.lastRun ? [own.lastRun] : [], others, 1)[0];
    return { runs: own.runs + others.filter((r) => !ownIds.has(r.id)).length, lastRun };
  }

  async listRunPage(page: RunPage): Promise<{ runs: RunSummary[]; more: boolean } | undefined> {
    const others = (await this.#others()).filter(
      (r) => (page.registry === undefined || r.registry === page.registry) && (!page.failedOnly || failedRun(r)),
    );
    const otherCursor = page.before === undefined ? undefined : others.find((r) => r.id === page.before);
    // A cursor on another server's run: this store's runs before it are read from its newest (at most SHARED_RUNS).
    const own = otherCursor
      ? await this.#own.listRunPage({ ...page, before: undefined, limit: SHARED_RUNS })
      : await this.#own.listRunPage(page);
    if (!own) return undefined;
    const cursor = otherCursor ?? (page.before === undefined ? undefined : await this.#own.getRun(page.before));
    const older = (r: RunSummary): boolean => cursor === undefined || newestFirst(cursor, r) < 0;
    const runs = merge(own.runs.filter(older), others.filter(older), page.limit + 1);
    return { runs: runs.slice(0, page.limit), more: own.more || runs.length > page.limit };
  }

  /**
   * Runs published by the other servers (this server's own are in its store). A run still
   * `running` whose server no longer says it is alive (killed, cut off for SERVER_ALIVE_MS) shows
   * as `interrupted`: its server closes it so when it starts again.
   */
  async #others(): Promise<SharedRunSummary[]> {
    const others = (await this.#shared.summaries()).filter((r) => r.server !== this.server);
    const running = [...new Set(others.filter((r) => r.result === 'running').map((r) => r.server))];
    const alive = await this.#shared.alive(running);
    if (!alive) return others;
    return others.map((r) => (r.result === 'running' && !alive.has(r.server) ? { ...r, result: 'interrupted' } : r));
  }

  createJob: RunStore['createJob'] = (...a) => this.#own.createJob(...a);
  startJob: RunStore['startJob'] = (...a) => this.#own.startJob(...a);
  recordJobTarget: RunStore['recordJobTarget'] = (...a) => this.#own.recordJobTarget(...a);
  finishJob: RunStore['finishJob'] = (...a) => this.#own.finishJob(...a);
  requeueJob: RunStore['requeueJob'] = (...a) => this.#own.requeueJob(...a);
  getJob: RunStore['getJob'] = (...a) => this.#own.getJob(...a);
  countCrashedJobs: RunStore['countCrashedJobs'] = (...a) => this.#own.countCrashedJobs(...a);
  listJobs: RunStore['listJobs'] = (...a) => this.#own.listJobs(...a);
  recoverableJobs: RunStore['recoverableJobs'] = (...a) => this.#own.recoverableJobs(...a);
  jobCounts: RunStore['jobCounts'] = (...a) => this.#own.jobCounts(...a);
  setPaused: RunStore['setPaused'] = (...a) => this.#own.setPaused(...a);
  pausedRegistries: RunStore['pausedRegistries'] = (...a) => this.#own.pausedRegistries(...a);
  prune: RunStore['prune'] = (...a) => this.#own.prune(...a);
  close: RunStore['close'] = (...a) => this.#own.close(...a);
}

function withoutServer(run: SharedRunSummary): RunSummary {
  const { server: _server, ...summary } = run;
  return summary;
}

/** This server's runs and the others', newest first; an id in both (never, unless Redis lost its counter) shows this server's. */
function merge(own: readonly RunSummary[], others: readonly SharedRunSummary[], limit: number): RunSummary[] {
  const ids = new Set(own.map((r) => r.id));
  return [...own, ...others.filter((r) => !ids.has(r.id)).map(withoutServer)].sort(newestFirst).slice(0, limit);
}
