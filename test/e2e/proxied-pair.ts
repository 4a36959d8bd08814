import { after, before } from 'node:test';
import { startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../harness/index.js';

/** A source and a target registry, each also reachable through a fault proxy that records requests. */
export interface ProxiedPair {
  source: TestRegistry;
  target: TestRegistry;
  sourceProxy: FaultProxy;
  targetProxy: FaultProxy;
}

/**
 * Starts the pair before the tests of the calling file, then runs `setup` (pushing its images, say),
 * and stops the pair after the tests. The file's setup goes here rather than into a `before` of its
 * own: Node 20 does not make one top-level `before` wait for another. The fields are set once that
 * hook has run: read them inside tests, not at module level.
 */
export function useProxiedPair(setup?: (pair: ProxiedPair) => Promise<void>): ProxiedPair {
  const pair = {} as ProxiedPair;
  before(async () => {
    [pair.source, pair.target] = await Promise.all([startRegistry(), startRegistry()]);
    [pair.sourceProxy, pair.targetProxy] = await Promise.all([startFaultProxy(pair.source), startFaultProxy(pair.target)]);
    await setup?.(pair);
  });
  after(async () => {
    // Whatever `before` did not get to start is still unset.
    const started: Partial<ProxiedPair> = pair;
    await Promise.all([started.sourceProxy?.close(), started.targetProxy?.close()]);
    await Promise.all([started.source?.stop(), started.target?.stop()]);
  });
  return pair;
}
