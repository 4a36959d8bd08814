import { isCosignTagOf, type ContentRepository } from '../../registry/index.js';
import { lookUpManifest } from '../manifest-lookup.js';
import { presentAtTarget } from '../manifest-tree.js';
import { settleAll } from '../settle-all.js';
import { artifactTypeOf, type ArtifactTypeFilter } from './artifact-filter.js';
import { discoverReferrers } from './discover.js';

export interface PlanReferrersInput {
  source: ContentRepository;
  target: ContentRepository;
  digest: string;
  filter: ArtifactTypeFilter;
  cosignTags: boolean;
  force: boolean;
}

/**
 * What a dry run says of an image's signatures and attestations: the referrers of its own digest
 * that the target lacks, counted by artifact type, and its cosign tags that differ (counted as
 * `cosign .sig`, ...: their type is only known by reading them). Writes nothing and reads no
 * manifest but the listings; referrers of an index's children and of referrers are not counted.
 */
export async function planReferrers(input: PlanReferrersInput): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const add = (type: string) => (counts[type] = (counts[type] ?? 0) + 1);
  const found = await discoverReferrers(input.source, input.target, input.digest, input.filter);
  if (!found.sameAtTarget) {
    await settleAll(
      found.entries.map(async (entry) => {
        if (!(await presentAtTarget(input.target, entry.descriptor.digest, input.force))) add(artifactTypeOf(entry));
      }),
    );
  }
  if (input.cosignTags) {
    const tags = (await input.source.listTags()).filter((tag) => isCosignTagOf(tag, input.digest));
    await settleAll(
      tags.map(async (tag) => {
        const [atSource, atTarget] = await Promise.all([lookUpManifest(input.source, tag), input.target.headManifest(tag)]);
        if (atSource && (input.force || atTarget?.digest !== atSource.digest)) add(`cosign ${tag.slice(tag.lastIndexOf('.'))}`);
      }),
    );
  }
  return counts;
}
