/**
 * The referrers tag schema of the OCI distribution spec 1.1 ("Referrers Tag Schema"): a registry
 * without the referrers API holds the referrers of `<alg>:<encoded>` in an image index tagged
 * `<alg>-<ref>`, where `<alg>` is cut to 32 characters, `<ref>` (the encoded digest) to 64, and any
 * character a tag may not hold becomes `-`. sha256 digests fit whole; a sha512 one is cut.
 */
export function referrersTag(digest: string): string {
  const colon = digest.indexOf(':');
  const alg = digest.slice(0, colon).slice(0, 32);
  const encoded = digest.slice(colon + 1).slice(0, 64);
  return `${alg}-${encoded}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/**
 * cosign's tag schema: `sha256-<hex>.sig`, `.att`, `.sbom` (and any other `<alg>-<hex>.<suffix>`)
 * describe the manifest `<alg>:<hex>` of the same repository. The bare `<alg>-<hex>` is the
 * referrers tag, not one of these.
 */
export function isCosignTagOf(tag: string, digest: string): boolean {
  const prefix = `${digest.replace(':', '-')}.`;
  return tag.startsWith(prefix) && tag.length > prefix.length;
}
