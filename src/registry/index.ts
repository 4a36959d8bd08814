export { MediaType, MANIFEST_ACCEPT, isIndexMediaType, isImageMediaType } from './media-types.js';
export { parseManifest, referencedBlobs, parsePlatform, formatPlatform, platformMatches, type Descriptor, type Platform, type ParsedManifest } from './manifest.js';
export { checkedDigest, digestOf, verifiableAlgorithm, verifyBytes } from './content-digest.js';
export { sha256Digest, type FetchedManifest, type ManifestHead } from './manifests.js';
export type { UploadSession } from './uploads.js';
export { nextLink } from './pagination.js';
export { RepositoryClient, type Access, type ClientCaller } from './repository-client.js';
export { RegistryClients, type RegistryClientsOptions } from './registry-client.js';
