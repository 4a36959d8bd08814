export { MediaType, MANIFEST_ACCEPT, isIndexMediaType, isImageMediaType } from './media-types.js';
export { parseManifest, referencedBlobs, type Descriptor, type ParsedManifest, type ReferrerFields } from './parse-manifest.js';
export { referrerEntries, type ReferrerEntry, type ReferrersListing } from './referrers-requests.js';
export { isCosignTagOf, referrersTag } from './referrers-tag.js';
export {
  ANY,
  parsePlatform,
  formatPlatform,
  platformMatches,
  isPlatformPattern,
  type MissingPlatforms,
  type Platform,
} from './platform.js';
export { checkedDigest, digestOf, verifiableAlgorithm, verifyBytes } from './content-digest.js';
export { sha256Digest, type FetchedManifest, type ManifestHead, type ManifestPushed } from './manifest-requests.js';
export type { UploadSession } from './uploads.js';
export type { BlobUpload, ContentRepository, PutManifestOptions } from './content-repository.js';
export { RegistryUpload } from './registry-upload.js';
export { MANIFEST_SIZE_LIMIT, isForeignLayer } from './media-types.js';
export { collectPages, type PageOptions } from './pagination.js';
export { nextLink } from './pagination.js';
export { RepositoryClient, type Access, type ClientCaller } from './repository-client.js';
export { RegistryClients, type RegistryClientsOptions } from './registry-clients.js';
