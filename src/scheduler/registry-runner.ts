import type { RegistryConfig } from '../config/index.js';
import type { CopyEngine } from '../copy/index.js';
import { PictureBookError } from '../errors/index.js';
import type { LoadEventListener } from '../load/events.js';
import { runLoad } from '../load/load-run.js';
import type { RegistryOutcome } from '../load/run-outcome.js';

/**
 * One run of one registry; must stop soon after `signal` aborts, and start no new image once
 * `drain` aborted (a stop has begun; images under way may finish). Injected so tests can fake it.
 */
export type RegistryRunner = (
  registry: RegistryConfig,
  signal: AbortSignal,
  emit: LoadEventListener,
  drain?: AbortSignal,
) => Promise<RegistryOutcome>;

/**
 * Where a registry's copies run instead of the process's engine (workers, through a queue), or
 * undefined to copy here. `emit` files events under the registry's run.
 */
export type CopiesElsewhere = (registry: RegistryConfig, emit: LoadEventListener) => CopyEngine['copy'] | undefined;

/**
 * Runs a registry through the load orchestration on the process's shared engine. Several runs
 * (and distribute jobs) share that engine; each copy reports to the run that made it, so what
 * arrives here is this registry's own.
 */
export function loadRunner(engine: CopyEngine, copies?: CopiesElsewhere): RegistryRunner {
  return async (registry, signal, emit, drain) => {
    const own: LoadEventListener = (event) => {
      // The scheduler reports runs itself (sync-run-started / -finished).
      if (event.type !== 'run-started' && event.type !== 'run-finished') emit(event);
    };
    const elsewhere = copies?.(registry, own);
    // Listing and dry runs stay here; only the copies go elsewhere.
    const runEngine: Parameters<typeof runLoad>[0]['engine'] = elsewhere
      ? {
          copy: elsewhere,
          plan: (task, options) => engine.plan(task, options),
          clients: engine.clients,
          finish: (place) => engine.finish(place),
        }
      : engine;
    const outcome = await runLoad({ registries: [registry], engine: runEngine, emit: own, signal, ...(drain ? { drain } : {}) });
    const single = outcome.registries[0];
    if (!single) throw new PictureBookError('INTERNAL', `load of ${registry.hostname} returned no outcome`);
    return single;
  };
}
