export { Reference } from './reference.js';
export { parseReference } from './parse.js';
export { isDigest, parseDigest } from './digest.js';
export { DOCKER_HUB, DOCKER_HUB_API_HOST, isLoopbackHost, parseRegistryHost } from './registry-host.js';
