import { InvalidReferenceError } from '../errors/index.js';
import { findUserinfo, SCHEME } from '../errors/mask-userinfo.js';
import { digestProblem } from './digest.js';
import { validateNameLength, validateRepository, validateTag } from './grammar.js';
import { layoutPrefix } from './layout-place.js';
import { parseLayoutReference } from './parse-layout.js';
import { Reference, withHubLibrary } from './reference.js';
import { DOCKER_HUB, parseRegistryHost, registryHostProblem } from './registry-host.js';

// Docker refuses a bare 64-hex name: it would be mistaken for an image ID.
const IMAGE_ID = /^[a-f0-9]{64}$/;

/** Docker's rule: the first component is a registry if it has a '.' or ':' or is `localhost`. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/**
 * Parses `[host[:port]/]path[:tag][@digest]` per the distribution grammar, with Docker Hub
 * normalisation (`nginx` -> `docker.io/library/nginx`), or an OCI layout's `oci:DIR[:NAME][@DIGEST]`
 * and `oci-archive:FILE[:NAME][@DIGEST]` (a relative path is resolved against `base`, by default
 * the working directory). Errors name the part that is wrong.
 */
export function parseReference(input: string, base?: string): Reference {
  if (input === '') throw new InvalidReferenceError(input, 'reference', 'is empty');
  if (layoutPrefix(input)) return parseLayoutReference(input, base);
  // Before anything splits at '@' or ':': a URL with credentials would otherwise be reported as a
  // bad digest or tag, quoting the password.
  const scheme = SCHEME.exec(input)?.[0];
  if (findUserinfo(input)) {
    const drop = scheme ? `, and drop "${scheme}"` : '';
    throw new InvalidReferenceError(
      input,
      'credentials',
      `do not belong in a reference: use --src-creds/--dest-creds (copy) or pullAuthConfig/pushAuthConfig (config.yaml)${drop}`,
    );
  }
  if (scheme) throw new InvalidReferenceError(input, `scheme "${scheme}"`, 'does not belong in a reference: drop it');
  if (/\s/.test(input)) throw new InvalidReferenceError(input, 'reference', 'contains whitespace');
  if (IMAGE_ID.test(input)) {
    throw new InvalidReferenceError(input, 'name', 'cannot be a 64-character hexadecimal string (that looks like an image ID)');
  }
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem !== undefined) throw new InvalidReferenceError(input, 'digest', problem);
  }
  let tag: string | undefined;
  // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    validateTag(input, tag);
  }
  const slash = rest.indexOf('/');
  let registry = DOCKER_HUB;
  let repository = rest;
  if (slash >= 0 && looksLikeHost(rest.slice(0, slash))) {
    const host = rest.slice(0, slash);
    const problem = registryHostProblem(host);
    if (problem !== undefined) throw new InvalidReferenceError(input, 'registry host', problem);
    registry = parseRegistryHost(host);
    repository = rest.slice(slash + 1);
  }
  repository = withHubLibrary(registry, repository);
  validateRepository(input, repository);
  validateNameLength(input, `${registry}/${repository}`);
  return new Reference(registry, repository, tag, digest);
}
