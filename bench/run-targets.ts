import { startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../test/harness/index.js';
import { settleDisk } from './target-reset.js';

/** A run's target: its own registry, and the host the run writes to (the registry, or a counting proxy in front of it). */
export interface RunTarget {
  registry: TestRegistry;
  host: string;
  /** The counting proxy the run writes through, if any. */
  counter?: FaultProxy;
}

/**
 * One fresh target registry per run of the scale-out row, all started before the workers (a
 * worker reads the registries it may write to from its config, once). Not one registry wiped
 * between runs: a warm worker remembers for 10 minutes where it saw each blob, in itself and in
 * Redis, and offers those repositories as mount sources; after a wipe every such mount is refused
 * and costs the target an upload session opened and deleted (measured: 200 refused mounts per run
 * of 25 images for each earlier run, 2.5 times the in-process run's target CPU by the third run).
 * A fresh `sync` remembers nothing, so the wipe weighed on the queued runs only. A registry of its
 * own per run is a place no worker has seen. Each is stopped (its storage deleted) after its run.
 */
export class RunTargets {
  #plain: RunTarget[];
  #counted: RunTarget[];
  #all: RunTarget[];

  private constructor(targets: RunTarget[]) {
    this.#all = targets;
    this.#plain = targets.filter((t) => !t.counter);
    this.#counted = targets.filter((t) => t.counter);
  }

  /** `runs` plain targets and `counted` more behind counting proxies. */
  static async start(runs: number, counted: number): Promise<RunTargets> {
    const started: RunTarget[] = [];
    try {
      for (let i = 0; i < runs + counted; i++) {
        const registry = await startRegistry();
        started.push({ registry, host: registry.host });
        if (i < runs) continue;
        const counter = await startFaultProxy(registry);
        started[i] = { registry, host: counter.host, counter };
      }
    } catch (error) {
      await new RunTargets(started).stopAll();
      throw error;
    }
    return new RunTargets(started);
  }

  /** Every host a run may write to: a worker's config names them all. */
  get hosts(): string[] {
    return this.#all.map((t) => t.host);
  }

  /** The next unused target: a plain one, or (`counted`) one behind a counting proxy. */
  take(counted = false): RunTarget {
    const target = (counted ? this.#counted : this.#plain).shift();
    if (!target) throw new Error(`no ${counted ? 'counted ' : ''}target registry left for another run`);
    return target;
  }

  /** After a run: its registry stops and its storage goes; the disk settles before the next run. */
  async done(target: RunTarget): Promise<void> {
    await target.counter?.close();
    await target.registry.stop();
    await settleDisk();
  }

  /** Stops them all (those a run is done with again: stopping twice is harmless). */
  async stopAll(): Promise<void> {
    await Promise.all(this.#all.map(async (t) => t.counter?.close()));
    await Promise.all(this.#all.map((t) => t.registry.stop()));
  }
}
