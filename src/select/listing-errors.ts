import { PictureBookError } from '../errors/index.js';

/**
 * The registry does not let us list its repositories: `_catalog` answered 401/403 (no
 * `registry:catalog:*` grant), 404/405 or `UNSUPPORTED` (not offered at all, as on Docker Hub).
 */
export class CatalogUnavailableError extends PictureBookError {
  readonly registry: string;

  constructor(registry: string, detail: string, options?: { cause?: unknown }) {
    super(
      'CATALOG_UNAVAILABLE',
      `${registry} does not let us list its repositories (${detail}): list the repositories explicitly, one repository rule (or images: entry) each`,
      options,
    );
    this.registry = registry;
  }
}

/** `tags/list` says the repository does not exist (404, `NAME_UNKNOWN`): never there, or deleted since the catalog listed it. */
export class RepositoryNotFoundError extends PictureBookError {
  readonly registry: string;
  readonly repository: string;
  /** The registry's answer: `GET <url>: 404 Not Found: NAME_UNKNOWN: repository name not known to registry`. */
  readonly detail: string;

  constructor(registry: string, repository: string, detail: string, options?: { cause?: unknown }) {
    super('REPOSITORY_NOT_FOUND', `${registry}/${repository}: repository not found (${detail})`, options);
    this.registry = registry;
    this.repository = repository;
    this.detail = detail;
  }
}
