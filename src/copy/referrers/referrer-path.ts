/**
 * Which subject each followed manifest describes (a referrer its subject, an index's child the
 * index), so a write can tell the target the path from the image down (PutManifestOptions.referrerPath).
 */
export type ReferrerParents = Map<string, string>;

/** Remembers that `referrer` describes `subject`; the first path found stays (a loop adds nothing). */
export function noteParent(parents: ReferrerParents, referrer: string, subject: string): void {
  if (referrer !== subject && !parents.has(referrer)) parents.set(referrer, subject);
}

/** The image's digest first, then each subject down to `subject`. */
export function referrerPath(parents: ReadonlyMap<string, string>, subject: string): string[] {
  const path = [subject];
  for (let above = parents.get(subject); above !== undefined && !path.includes(above); above = parents.get(above)) path.unshift(above);
  return path;
}
