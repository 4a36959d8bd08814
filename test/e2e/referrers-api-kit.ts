import { after, before } from 'node:test';
import {
  startFaultProxy,
  startReferrersFront,
  startRegistry,
  type FaultProxy,
  type ReferrersFront,
  type TestRegistry,
} from '../harness/index.js';

/**
 * One side of a referrers API test: a real registry (distribution 2.8 has no referrers API) behind
 * the harness's referrers front (test/harness/referrers-front.ts), itself behind a fault proxy
 * that records requests.
 */
export interface ReferrersApiSide {
  registry: TestRegistry;
  front: ReferrersFront;
  proxy: FaultProxy;
}

async function start(side: Partial<ReferrersApiSide>, tagDeletes: boolean): Promise<void> {
  side.registry = await startRegistry();
  side.front = await startReferrersFront(side.registry, tagDeletes ? { tagDeletes: side.registry.rootDir } : {});
  side.proxy = await startFaultProxy(side.front);
}

/**
 * Registers the file's `before` and `after` hooks for a source and a target side; their fields are
 * set once `before` ran. `tagDeletes`: both fronts delete a tag alone, as distribution 3 does.
 */
export function useReferrersApiSides(options: { tagDeletes?: boolean } = {}): { source: ReferrersApiSide; target: ReferrersApiSide } {
  const source: Partial<ReferrersApiSide> = {};
  const target: Partial<ReferrersApiSide> = {};
  before(() => Promise.all([start(source, options.tagDeletes ?? false), start(target, options.tagDeletes ?? false)]));
  after(async () => {
    for (const side of [source, target]) {
      await side.proxy?.close();
      await side.front?.close();
      await side.registry?.stop();
    }
  });
  return { source: source as ReferrersApiSide, target: target as ReferrersApiSide };
}
