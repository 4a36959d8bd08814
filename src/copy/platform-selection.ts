import { ContentError } from '../errors/index.js';
import {
  formatPlatform,
  isPlatformPattern,
  platformMatches,
  type Descriptor,
  type FetchedManifest,
  type MissingPlatforms,
  type Platform,
} from '../registry/index.js';
import { sha256Digest } from '../registry/index.js';

/** What will be written at the target tag after applying a platform filter to an index. */
export type Selection =
  | { kind: 'whole' }
  | { kind: 'child'; descriptor: Descriptor }
  | { kind: 'subset'; bytes: Buffer; digest: string; mediaType: string; children: Descriptor[] }
  /** `missing: 'skip'` and no platform asked for is there: nothing is written, `note` says why. */
  | { kind: 'none'; note: string };

const listed = (wanted: readonly Platform[]): string => wanted.map(formatPlatform).join(', ');

/**
 * One platform: that child is tagged as a plain image. Several: a new index listing only them
 * (a new digest, which the caller reports). All children selected: the index as it was.
 * `missing: 'fail'` (copy --platform, a rule's default): every platform asked for must be there
 * (a pattern such as `linux/*` at least once; it takes every child it matches), else an error
 * naming what is available. `missing: 'skip'` (image-syncer's filter): every child some entry
 * matches is kept, and an index with none of them is not copied.
 */
export function selectPlatforms(
  index: FetchedManifest & { parsed: { kind: 'index' } },
  wanted: readonly Platform[],
  reference: string,
  missing: MissingPlatforms = 'fail',
): Selection {
  if (wanted.length === 0) return { kind: 'whole' };
  const children = index.parsed.manifests;
  const available = children.map((d) => (d.platform ? formatPlatform(d.platform) : 'unknown')).join(', ');
  const chosen: Descriptor[] = [];
  for (const platform of wanted) {
    const matches = children.filter((d) => platformMatches(platform, d.platform));
    if (matches.length === 0 && missing === 'fail')
      throw new ContentError('PLATFORM_NOT_FOUND', `${reference} has no ${formatPlatform(platform)} image (available: ${available})`);
    for (const match of missing === 'skip' || isPlatformPattern(platform) ? matches : matches.slice(0, 1))
      if (!chosen.includes(match)) chosen.push(match);
  }
  if (chosen.length === 0) return { kind: 'none', note: `no image for ${listed(wanted)} (the index has ${available})` };
  if (chosen.length === 1 && chosen[0]) return { kind: 'child', descriptor: chosen[0] };
  if (chosen.length === children.length) return { kind: 'whole' };
  // Children in the index's own order, whatever the order asked for.
  const keep = new Set(chosen.map((d) => d.digest));
  const doc = JSON.parse(index.bytes.toString('utf8')) as { manifests: unknown[] };
  doc.manifests = doc.manifests.filter((m) => keep.has((m as { digest?: string }).digest ?? ''));
  const bytes = Buffer.from(JSON.stringify(doc, null, 2));
  return {
    kind: 'subset',
    bytes,
    digest: sha256Digest(bytes),
    mediaType: index.mediaType,
    children: children.filter((d) => keep.has(d.digest)),
  };
}

/** The platform an image config declares (`os`, `architecture`, `variant`), if it declares one. */
function configPlatform(config: Buffer): Platform | undefined {
  try {
    const doc = JSON.parse(config.toString('utf8')) as { os?: unknown; architecture?: unknown; variant?: unknown };
    if (typeof doc.os !== 'string' || typeof doc.architecture !== 'string') return undefined;
    return { os: doc.os, architecture: doc.architecture, ...(typeof doc.variant === 'string' ? { variant: doc.variant } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * A platform filter on a single-platform image. `fail`: the image is copied only when it is every
 * platform asked for; otherwise it is the same error as for an index without that platform.
 * `skip`: copied when some entry matches it; otherwise the note that says why it is not (returned).
 */
export function checkImagePlatform(
  config: Buffer,
  wanted: readonly Platform[],
  reference: string,
  missing: MissingPlatforms = 'fail',
): string | undefined {
  const actual = configPlatform(config);
  const is = actual ? `a single-platform ${formatPlatform(actual)} image` : 'an image whose config names no platform';
  if (missing === 'skip')
    return wanted.some((platform) => platformMatches(platform, actual)) ? undefined : `not ${listed(wanted)}: it is ${is}`;
  for (const platform of wanted) {
    if (!platformMatches(platform, actual))
      throw new ContentError('PLATFORM_NOT_FOUND', `${reference} has no ${formatPlatform(platform)} image (it is ${is})`);
  }
  return undefined;
}
