import { InvalidReferenceError } from '../errors/index.js';
import { parseDigest } from './digest.js';
import { validateNameLength, validateRepository, validateTag } from './grammar.js';
import { Reference } from './reference.js';
import { DOCKER_HUB, parseRegistryHost } from './registry-host.js';

/** Docker's rule: the first component is a registry if it has a '.' or ':' or is `localhost`. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.startsWith('[');
}

/**
 * Parses `[host[:port]/]path[:tag][@digest]` per the distribution grammar, with Docker Hub
 * normalisation (`nginx` -> `docker.io/library/nginx`). Errors name the part that is wrong.
 */
export function parseReference(input: string): Reference {
  if (input.trim() === '') throw new InvalidReferenceError(input, 'reference', 'is empty');
  if (/\s/.test(input)) throw new InvalidReferenceError(input, 'reference', 'contains whitespace');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    parseDigestOf(input, digest);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  // A ':' after the last '/' separates a tag; before it, it belongs to a registry port.
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    validateTag(input, tag);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? rest : rest.slice(0, slash);
  let registry = DOCKER_HUB;
  let repository = rest;
  if (slash >= 0 && looksLikeHost(first)) {
    registry = parseRegistryHostOf(input, first);
    repository = rest.slice(slash + 1);
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  validateRepository(input, repository);
  validateNameLength(input, `${registry}/${repository}`);
  return new Reference(registry, repository, tag, digest);
}

function parseDigestOf(input: string, digest: string): void {
  try {
    parseDigest(digest);
  } catch (error) {
    const reason = error instanceof InvalidReferenceError ? error.message.replace(/^.*?: digest /, '') : 'is invalid';
    throw new InvalidReferenceError(input, 'digest', reason);
  }
}

function parseRegistryHostOf(input: string, host: string): string {
  try {
    return parseRegistryHost(host);
  } catch (error) {
    const reason = error instanceof InvalidReferenceError ? error.message.replace(/^.*?: registry host /, '') : 'is invalid';
    throw new InvalidReferenceError(input, 'registry host', reason);
  }
}
