import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { SqliteRunStore } from '../../src/store/index.js';
import { skopeo } from '../harness/index.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { useReferrersApiSides } from './referrers-api-kit.js';
import { writeConfig } from './sync-kit.js';

/** cosign's signature artifact type. */
export const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** `load --all` of a config file, its events as JSON lines. */
export const loadAll = (file: string) => runCli(['load', '--config', file, '--all', '--log-format', 'json']);

/** A run's prune events as [action, target, referrerOf]. */
export const pruneEvents = (stdout: string) =>
  jsonLines(stdout)
    .filter((e) => e.type === 'prune')
    .map((e) => [e.action, e.target, e.referrerOf]);

/** The referrers a history records for the tags of `repository` (a target repository with its host). */
export async function ownedReferrers(state: string, repository: string) {
  const store = SqliteRunStore.open(state);
  try {
    return await store.ownership.ownedReferrers(repository);
  } finally {
    await store.close();
  }
}

/**
 * What the load-prune tests of referrers share: real registries (deletes enabled) behind the
 * referrers front, the target's fault proxy, a work directory of the file's own and, per case, a
 * config mirroring one source repository into `pr/` of the target through its proxy, pruning.
 */
export function usePruneReferrersRig(prefix: string) {
  const { source, target } = useReferrersApiSides();
  let dir = '';
  before(async () => {
    dir = await tempDir(prefix);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    source,
    target,
    /** The config of case `name` (its own history) mirroring `repository`. */
    mirror: async (name: string, repository: string): Promise<{ file: string; state: string }> => {
      const work = join(dir, name);
      await mkdir(work, { recursive: true });
      const state = join(work, 'state.db');
      const mirrors = [{ source: `${source.front.host}/${repository}`, prune: { maxFraction: 1 } }];
      const file = await writeConfig(work, {
        registries: [{ hostname: target.proxy.host, repository: 'pr', mirrors }],
        state: { path: state },
      });
      return { file, state };
    },
    /** Deletes `reference` (its manifest, every tag at it) at the source registry. */
    deleteAtSource: (reference: string) =>
      skopeo(['delete', ...source.registry.skopeoFlags('plain'), `docker://${source.registry.host}/${reference}`], source.registry),
    /** What the target registry itself answers for a manifest. */
    statusAt: async (repository: string, digest: string): Promise<number> =>
      (
        await fetch(`${target.registry.url}/v2/${repository}/manifests/${digest}`, {
          method: 'HEAD',
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
        })
      ).status,
  };
}
