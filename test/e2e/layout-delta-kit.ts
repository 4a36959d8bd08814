import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CopyEngine, type CopyTask } from '../../src/copy/index.js';
import { startFaultProxy, startRegistry, type BuiltImage, type FaultProxy, type TestRegistry } from '../harness/index.js';

/** The delta-bundle tests' set-up, what they read of a layout, and how they copy into one. */

/**
 * What every delta-bundle test file starts with: machine A's source registry, machine B's fresh
 * registry, a fault proxy in front of each (it records requests), and a scratch dir for the bundles.
 */
export interface LayoutRig {
  source: TestRegistry;
  fresh: TestRegistry;
  /** In front of the fresh registry: what an import writes there. */
  front: FaultProxy;
  /** In front of the source: what an export reads there. */
  upstream: FaultProxy;
  scratch: string;
}

/** Registers the file's `before` and `after` hooks; the rig's fields are set once `before` ran. */
export function useLayoutRig(name: string): LayoutRig {
  const rig: Partial<LayoutRig> = {};
  before(async () => {
    [rig.source, rig.fresh] = await Promise.all([startRegistry(), startRegistry()]);
    [rig.front, rig.upstream] = await Promise.all([startFaultProxy(rig.fresh), startFaultProxy(rig.source)]);
    rig.scratch = await mkdtemp(join(tmpdir(), `pb-${name}-`));
  });
  after(async () => {
    await Promise.all([rig.front?.close(), rig.upstream?.close()]);
    await Promise.all([rig.source?.stop(), rig.fresh?.stop()]);
    if (rig.scratch) await rm(rig.scratch, { recursive: true, force: true });
  });
  return rig as LayoutRig;
}

/** Blob uploads `front` received (the digest each closing PUT named), in order. */
export const uploaded = (front: FaultProxy): string[] =>
  front.requests
    .filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'))
    .map((r) => decodeURIComponent(/[?&]digest=([^&]+)/.exec(r.path)?.[1] ?? '?'));

export const REF_NAME = 'org.opencontainers.image.ref.name';

/** One copy on an engine of its own; `finish` ends the writing run of that layout place (index.json, inventory). */
export async function copy(task: CopyTask, finish?: string) {
  const engine = new CopyEngine();
  try {
    const result = await engine.copy(task);
    if (finish) await engine.finish(finish);
    return result;
  } finally {
    await engine.close();
  }
}

/** `name digest` of every index.json entry, sorted. */
export const names = async (layout: string) =>
  (
    JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    }
  ).manifests
    .map((m) => `${m.annotations?.[REF_NAME]} ${m.digest}`)
    .sort();

/** The digests of the blobs a layout holds. */
export const carried = async (layout: string) => new Set((await readdir(join(layout, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`));

/** Every manifest and blob of a pushed image (an index's children too). */
export const everything = (image: BuiltImage): string[] => [
  image.digest,
  ...image.blobs.map((b) => b.digest),
  ...(image.children ?? []).flatMap(everything),
];
