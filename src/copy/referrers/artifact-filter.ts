import type { FetchedManifest, ReferrerEntry } from '../../registry/index.js';

/** Which artifact types travel: `include` (empty: all) then `exclude`; `*` matches any run of characters. */
export interface ArtifactTypeFilter {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
}

function matcher(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
}

const escape = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** The artifact type of a listed referrer: its `artifactType`, else its media type (as the spec falls back to config.mediaType). */
export function artifactTypeOf(entry: ReferrerEntry): string {
  return entry.artifactType ?? entry.descriptor.mediaType;
}

export function passesFilter(type: string, filter: ArtifactTypeFilter): boolean {
  const include = filter.include ?? [];
  if (include.length > 0 && !include.some((p) => matcher(p).test(type))) return false;
  return !(filter.exclude ?? []).some((p) => matcher(p).test(type));
}

/** The one type a registry can filter on for us (`?artifactType=`): a single include without wildcard. */
export function serverFilter(filter: ArtifactTypeFilter): string | undefined {
  const include = filter.include ?? [];
  return include.length === 1 && !include[0]?.includes('*') ? include[0] : undefined;
}

/** The artifact type of a manifest read whole: its `artifactType`, else its config's media type (an image) or its own. */
export function artifactTypeOfManifest(manifest: FetchedManifest): string {
  const parsed = manifest.parsed;
  return parsed.artifactType ?? (parsed.kind === 'image' ? parsed.config.mediaType : parsed.mediaType);
}
