import { InvalidReferenceError } from '../errors/index.js';
import { digestProblem } from './digest.js';
import { validateRepository, validateTag } from './grammar.js';
import { layoutPrefix, parseLayoutPlace } from './layout-place.js';
import { Reference } from './reference.js';

// What may follow the last '@': a digest (checked below), told apart from an '@' inside a path.
const DIGEST_LIKE = /^[a-z][a-z0-9]*(?:[-_+.][a-z][a-z0-9]*)*:/;

/**
 * The image part of a layout reference, as skopeo reads it: `team/app:v1` (repository and tag),
 * `team/app` (a repository: a `/` says so), or `v1` alone (a tag of a layout without repository
 * names, the way `skopeo copy ... oci:DIR:v1` writes it).
 */
function splitImageName(input: string, name: string): { repository: string; tag: string | undefined } {
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    const repository = name.slice(0, colon);
    const tag = name.slice(colon + 1);
    validateRepository(input, repository);
    validateTag(input, tag);
    return { repository, tag };
  }
  if (name.includes('/')) {
    validateRepository(input, name);
    return { repository: name, tag: undefined };
  }
  validateTag(input, name);
  return { repository: '', tag: name };
}

/**
 * Parses `oci:DIR[:NAME][@DIGEST]` and `oci-archive:FILE[:NAME][@DIGEST]` (NAME as in
 * splitImageName). The path is made absolute against `base`. The reference's `registry` is the
 * layout place (`oci:/abs/dir`), its `repository` the name's repository part ('' for none).
 */
export function parseLayoutReference(input: string, base?: string): Reference {
  const kind = layoutPrefix(input);
  if (!kind) throw new InvalidReferenceError(input, 'layout', 'must start with "oci:" or "oci-archive:"');
  let rest = input;
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > kind.length && DIGEST_LIKE.test(rest.slice(at + 1))) {
    digest = rest.slice(at + 1);
    const problem = digestProblem(digest);
    if (problem !== undefined) throw new InvalidReferenceError(input, 'digest', problem);
    rest = rest.slice(0, at);
  }
  const body = rest.slice(kind.length + 1);
  const colon = body.indexOf(':');
  const path = colon < 0 ? body : body.slice(0, colon);
  const place = parseLayoutPlace(`${kind}:${path}`, base);
  if (colon < 0) return new Reference(place, '', undefined, digest);
  const name = body.slice(colon + 1);
  if (name === '') throw new InvalidReferenceError(input, 'image name', `is empty after "${kind}:${path}:"`);
  const { repository, tag } = splitImageName(input, name);
  return new Reference(place, repository, tag, digest);
}
