import { isCosignTagOf } from '../../registry/index.js';
import { lookUpManifest } from '../manifest-lookup.js';
import { copyReferenced, writeManifest } from '../manifest-tree.js';
import { settleAll } from '../settle-all.js';
import { artifactTypeOfManifest, passesFilter } from './artifact-filter.js';
import { copyOrWarn } from './referrer-problems.js';
import type { ReferrerContext } from './referrer-copier.js';
import { noteParent, referrerPath } from './referrer-path.js';

/** Goes on to what describes a copied referrer (referrer-copier.ts followSubject; passed in, not imported, to keep the two files apart). */
export type FollowSubject = (ctx: ReferrerContext, subject: string, depth: number) => Promise<void>;

/**
 * cosign's `sha256-<hex>.sig/.att/.sbom` (any `.suffix`) tags of `subject`: compared by HEAD on
 * both sides. Tags that could not be listed were a warning already (see follow.ts); one tag that
 * cannot be copied is a `referrer-failed` warning.
 */
export async function copyCosignTags(ctx: ReferrerContext, subject: string, depth: number, follow: FollowSubject): Promise<void> {
  const tags = ((await ctx.sourceTags()) ?? []).filter((tag) => isCosignTagOf(tag, subject));
  await settleAll(
    tags.map(async (tag) => {
      const { source, target } = ctx.tree;
      let next: string | undefined;
      const about = { target: ctx.tree.targetName, subject, tag, emit: ctx.tree.emit, counts: ctx.counts };
      await copyOrWarn(target, about, async () => {
        const [found, atTarget] = await Promise.all([lookUpManifest(source, tag), target.headManifest(tag)]);
        if (!found) return; // gone since the listing
        if (!ctx.tree.force && atTarget?.digest === found.digest) {
          ctx.counts.present++;
          next = found.digest;
          return;
        }
        const manifest = found.manifest ?? (await source.getManifest(found.digest));
        const artifactType = artifactTypeOfManifest(manifest);
        if (!passesFilter(artifactType, ctx.settings.filter)) return;
        await copyReferenced(ctx.tree, manifest);
        await writeManifest(ctx.tree, tag, manifest.bytes, manifest.mediaType, { referrerPath: referrerPath(ctx.parents, subject) });
        ctx.counts.copied++;
        ctx.tree.emit({
          type: 'referrer-copied',
          target: ctx.tree.targetName,
          subject,
          digest: found.digest,
          artifactType,
          via: 'cosign-tag',
          tag,
          time: Date.now(),
        });
        next = found.digest;
      });
      if (!next) return;
      noteParent(ctx.parents, next, subject);
      await follow(ctx, next, depth + 1);
    }),
  );
}
