import { parseDigest } from './digest.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST } from './registry-host.js';
import { validateRepository, validateTag } from './grammar.js';

/** A fully qualified image reference: registry, repository, and a tag and/or digest. */
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
  }

  /** Host the API is served from: Docker Hub's differs from its name. */
  get apiHost(): string {
    return this.registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : this.registry;
  }

  get name(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** What goes in `/v2/<repo>/manifests/<identifier>`: the digest wins; no tag means `latest`. */
  get identifier(): string {
    return this.digest ?? this.tag ?? 'latest';
  }

  toString(): string {
    return `${this.name}${this.tag ? `:${this.tag}` : ''}${this.digest ? `@${this.digest}` : ''}`;
  }

  /** As docker prints it: Hub names without `docker.io/` and `library/`. */
  familiar(): string {
    let name = this.name;
    if (this.registry === DOCKER_HUB) {
      name = this.repository.startsWith('library/') && this.repository.split('/').length === 2 ? this.repository.slice(8) : this.repository;
    }
    return `${name}${this.tag ? `:${this.tag}` : ''}${this.digest ? `@${this.digest}` : ''}`;
  }

  /** Token scope for this repository, e.g. `repository:library/nginx:pull`. */
  scope(actions: string): string {
    return `repository:${this.repository}:${actions}`;
  }

  withTag(tag: string): Reference {
    validateTag(this.toString(), tag);
    return new Reference(this.registry, this.repository, tag, undefined);
  }

  withDigest(digest: string): Reference {
    parseDigest(digest);
    return new Reference(this.registry, this.repository, this.tag, digest);
  }

  withRepository(repository: string, registry: string = this.registry): Reference {
    validateRepository(`${registry}/${repository}`, repository);
    return new Reference(registry, repository, this.tag, this.digest);
  }
}
