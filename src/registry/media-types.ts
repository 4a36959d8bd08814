export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/**
 * Every manifest type we copy, sent in `Accept` on each manifest request: distribution 2.8 answers
 * 404 for an OCI manifest whose type was not accepted, and by tag silently substitutes a list's
 * amd64 child when the list type is missing.
 */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest].join(
  ', ',
);

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

export function isImageMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest;
}

/** Layers that registries refuse to store (Windows base layers): they are fetched from their `urls`. */
export function isForeignLayer(mediaType: string): boolean {
  return mediaType.includes('.foreign.') || mediaType.includes('nondistributable');
}

/** Distribution rejects manifests above 4 MiB; we refuse to read larger ones. */
export const MANIFEST_SIZE_LIMIT = 4 * 1024 * 1024;
