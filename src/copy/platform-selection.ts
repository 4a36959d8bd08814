import { ContentError } from '../errors/index.js';
import { formatPlatform, platformMatches, type Descriptor, type FetchedManifest, type Platform } from '../registry/index.js';
import { sha256Digest } from '../registry/index.js';

/** What will be written at the target tag after applying a platform filter to an index. */
export type Selection =
  | { kind: 'whole' }
  | { kind: 'child'; descriptor: Descriptor }
  | { kind: 'subset'; bytes: Buffer; digest: string; mediaType: string; children: Descriptor[] };

/**
 * One platform: that child is tagged as a plain image. Several: a new index listing only them
 * (a new digest, which the caller reports). All children selected: the index as it was.
 * A requested platform missing from the index is an error naming what is available.
 */
export function selectPlatforms(
  index: FetchedManifest & { parsed: { kind: 'index' } },
  wanted: readonly Platform[],
  reference: string,
): Selection {
  if (wanted.length === 0) return { kind: 'whole' };
  const children = index.parsed.manifests;
  const chosen: Descriptor[] = [];
  for (const platform of wanted) {
    const match = children.find((d) => platformMatches(platform, d.platform));
    if (!match) {
      const available = children.map((d) => (d.platform ? formatPlatform(d.platform) : 'unknown')).join(', ');
      throw new ContentError('PLATFORM_NOT_FOUND', `${reference} has no ${formatPlatform(platform)} image (available: ${available})`);
    }
    if (!chosen.includes(match)) chosen.push(match);
  }
  if (chosen.length === 1 && chosen[0]) return { kind: 'child', descriptor: chosen[0] };
  if (chosen.length === children.length) return { kind: 'whole' };
  const doc = JSON.parse(index.bytes.toString('utf8')) as { manifests: unknown[] };
  const keep = new Set(chosen.map((d) => d.digest));
  doc.manifests = doc.manifests.filter((m) => keep.has((m as { digest?: string }).digest ?? ''));
  const bytes = Buffer.from(JSON.stringify(doc, null, 2));
  return { kind: 'subset', bytes, digest: sha256Digest(bytes), mediaType: index.mediaType, children: chosen };
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
 * A platform filter on a single-platform image: the image is copied only when it is every platform
 * asked for; otherwise it is the same error as for an index without that platform.
 */
export function assertImagePlatform(config: Buffer, wanted: readonly Platform[], reference: string): void {
  const actual = configPlatform(config);
  for (const platform of wanted) {
    if (!platformMatches(platform, actual)) {
      const is = actual ? `a single-platform ${formatPlatform(actual)} image` : 'an image whose config names no platform';
      throw new ContentError('PLATFORM_NOT_FOUND', `${reference} has no ${formatPlatform(platform)} image (it is ${is})`);
    }
  }
}
