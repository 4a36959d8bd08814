import { InvalidReferenceError } from '../errors/index.js';
import { digestProblem } from './digest.js';
import { validateNameLength, validateRepository, validateTag } from './grammar.js';
import { isLayoutPlace, layoutPrefix, parseLayoutPlace } from './layout-place.js';
import { apiHost, DOCKER_HUB, parseRegistryHost } from './registry-host.js';
import { repositoryScope } from './scope.js';

const HUB_OFFICIAL = 'library/';

/** Docker Hub keeps official images under `library/`: `nginx` there means `library/nginx`. */
export function withHubLibrary(registry: string, repository: string): string {
  return registry === DOCKER_HUB && repository !== '' && !repository.includes('/') ? `${HUB_OFFICIAL}${repository}` : repository;
}

/** The reverse, as docker prints names: Docker Hub's `library/nginx` is `nginx`. */
export function withoutHubLibrary(registry: string, repository: string): string {
  const official = registry === DOCKER_HUB && repository.startsWith(HUB_OFFICIAL) && !repository.slice(HUB_OFFICIAL.length).includes('/');
  return official ? repository.slice(HUB_OFFICIAL.length) : repository;
}

/** A repository path as written in a config or rule (`/team/tools/`), without the slashes around it. */
export function trimRepositoryPath(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/**
 * A fully qualified image reference: registry, repository, and a tag and/or digest. Immutable.
 * Build one with parseReference(); the constructor trusts its (already validated) arguments.
 * In an OCI layout (`oci:DIR:team/app:v1`) `registry` is the layout's place (`oci:/abs/dir`) and
 * `repository` the image name's repository part, '' for a layout whose names are bare tags.
 */
export class Reference {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;

  constructor(registry: string, repository: string, tag?: string, digest?: string) {
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
    Object.freeze(this);
  }

  /** Host the API is served from: Docker Hub's differs from its name. */
  get apiHost(): string {
    return apiHost(this.registry);
  }

  /** `host/repository`, or in a layout `oci:/dir:repository` (`oci:/dir` without one). */
  get name(): string {
    if (this.isLayout) return this.repository === '' ? this.registry : `${this.registry}:${this.repository}`;
    return `${this.registry}/${this.repository}`;
  }

  /** Whether the image is in an OCI layout (a directory or a tar) rather than a registry. */
  get isLayout(): boolean {
    return isLayoutPlace(this.registry);
  }

  /** What goes in `/v2/<repo>/manifests/<identifier>`: the digest wins; no tag means `latest`. */
  get identifier(): string {
    return this.digest ?? this.tag ?? 'latest';
  }

  toString(): string {
    return `${this.name}${this.#suffix()}`;
  }

  /** As docker prints it: Hub names without `docker.io/`, official images without `library/`. */
  familiar(): string {
    if (this.registry !== DOCKER_HUB) return this.toString();
    return `${withoutHubLibrary(this.registry, this.repository)}${this.#suffix()}`;
  }

  /** Token scope for this repository, e.g. `repository:library/nginx:pull,push`. */
  scope(actions: string): string {
    return repositoryScope(this.repository, actions);
  }

  /** Same repository under `tag`; the digest is dropped, since it belonged to the old tag. */
  withTag(tag: string): Reference {
    validateTag(`${this.name}:${tag}`, tag);
    return new Reference(this.registry, this.repository, tag, undefined);
  }

  /** Pins this reference to `digest`, keeping the tag (`name:tag@digest`). */
  withDigest(digest: string): Reference {
    const problem = digestProblem(digest);
    if (problem !== undefined) throw new InvalidReferenceError(`${this.name}@${digest}`, 'digest', problem);
    return new Reference(this.registry, this.repository, this.tag, digest);
  }

  /** Same tag and digest under another repository, optionally on another registry or layout. */
  withRepository(repository: string, registry: string = this.registry): Reference {
    if (layoutPrefix(registry)) {
      const place = parseLayoutPlace(registry);
      if (repository !== '') validateRepository(`${place}:${repository}`, repository);
      return new Reference(place, repository, this.tag, this.digest);
    }
    const host = parseRegistryHost(registry);
    const path = withHubLibrary(host, repository);
    const input = `${host}/${path}`;
    validateRepository(input, path);
    validateNameLength(input, input);
    return new Reference(host, path, this.tag, this.digest);
  }

  #suffix(): string {
    return `${this.tag !== undefined ? `:${this.tag}` : ''}${this.digest !== undefined ? `@${this.digest}` : ''}`;
  }
}
