import { Limiter } from '../copy/limiter.js';
import type { ParsedManifest } from '../registry/index.js';

/**
 * A referrer manifest picture-book copied for a tag of the repository (`tag`), when that tag held
 * `imageDigest`. On a target with the referrers API nothing else leads to it (no fallback tag, no
 * cosign tag), so these records are how pruning finds what goes with an image.
 */
export interface RecordedReferrer {
  tag: string;
  imageDigest: string;
  digest: string;
  subject: string;
  /** Its deletion failed after its image went (a run before): deleted with the tag whatever image the tag holds now. */
  owed?: boolean;
}

/** What deciding needs of the repository, as deleteTags saw it. */
export interface RepositoryView {
  tags: readonly string[];
  digests: ReadonlyMap<string, string | undefined>;
  /** The tags this call deletes. */
  going: ReadonlySet<string>;
  recorded: readonly RecordedReferrer[];
  getManifest(reference: string): Promise<{ parsed: ParsedManifest }>;
}

/** Fallback (`sha256-<hex>`) and cosign (`sha256-<hex>.sig`) tags: they name referrers, not images that stay. */
const REFERRER_TAG = /^[a-z0-9]+-[0-9a-f]{32,}(\..+)?$/;

/**
 * The recorded referrers of `tag` at `imageDigest` that may go with it: not one a staying tag (the
 * tag itself included, when someone else pushed over it) points at, recorded under a staying tag, or referring to something a staying image still holds
 * (a child manifest shared with another index, or a referrer that stays). Staying images' indexes
 * are read only when a referrer refers to something other than the image or its other referrers.
 */
export async function removableReferrers(view: RepositoryView, tag: string, imageDigest: string): Promise<string[]> {
  const mine = view.recorded.filter((r) => r.tag === tag && r.imageDigest === imageDigest);
  if (mine.length === 0) return [];
  // `tag` itself stays when someone pushed over it: what it holds now is held (gone or going, it holds nothing).
  const staying = view.tags.filter((t) => !view.going.has(t) && !REFERRER_TAG.test(t));
  const held = new Set<string>();
  for (const t of staying) {
    const digest = view.digests.get(t);
    if (digest !== undefined) held.add(digest);
  }
  for (const r of view.recorded) if (r.tag !== tag && staying.includes(r.tag)) held.add(r.digest);
  const ours = new Set([imageDigest, ...mine.map((r) => r.digest)]);
  if (mine.some((r) => !ours.has(r.subject))) for (const child of await childrenOf(view, staying)) held.add(child);
  // A referrer of something that stays stays too, and so on down its own referrers.
  const kept = new Set(mine.filter((r) => held.has(r.digest) || held.has(r.subject)).map((r) => r.digest));
  for (let grew = true; grew;) {
    grew = false;
    for (const r of mine) {
      if (!kept.has(r.digest) && kept.has(r.subject)) {
        kept.add(r.digest);
        grew = true;
      }
    }
  }
  return [...new Set(mine.map((r) => r.digest))].filter((d) => !kept.has(d));
}

/** The child manifests of the staying tags that are indexes. */
async function childrenOf(view: RepositoryView, staying: readonly string[]): Promise<Set<string>> {
  const children = new Set<string>();
  const reads = new Limiter(8);
  const digests = new Set(staying.map((t) => view.digests.get(t)).filter((d): d is string => d !== undefined));
  await Promise.all(
    [...digests].map((digest) =>
      reads.run(async () => {
        const { parsed } = await view.getManifest(digest);
        if (parsed.kind === 'index') for (const entry of parsed.manifests) children.add(entry.digest);
      }),
    ),
  );
  return children;
}
