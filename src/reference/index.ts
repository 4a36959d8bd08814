export { Reference, trimRepositoryPath, withoutHubLibrary } from './reference.js';
export { parseReference } from './parse.js';
export { digestProblem, isDigest, parseDigest } from './digest.js';
export { isRepositoryPath, isTag } from './grammar.js';
export { CATALOG_SCOPE, repositoryScope } from './scope.js';
export { apiHost, DOCKER_HUB, DOCKER_HUB_API_HOST, dockerHubAlias, isLoopbackHost, parseRegistryHost } from './registry-host.js';
export { isLayoutPlace, layoutOf, layoutPrefix, parseLayoutPlace, type LayoutKind, type LayoutPlace } from './layout-place.js';
export { parsePlace } from './place.js';
