import { isDigest, isRepositoryPath, isTag } from '../reference/index.js';

/**
 * How images are named in a layout's index.json (`org.opencontainers.image.ref.name`): one layout
 * holds many repositories, so a name is `repository:tag` (`team/app:v1`), or the tag alone for a
 * layout without repository names (`v1`, as `skopeo copy ... oci:DIR:v1` writes it). An image
 * copied by digest alone is listed as `repository@sha256:...` (unnamed when there is no repository).
 * containerd's exports (`docker.io/library/alpine:3.19`) read the same way.
 */
export function tagRefName(repository: string, tag: string): string {
  return repository === '' ? tag : `${repository}:${tag}`;
}

export function digestRefName(repository: string, digest: string): string | undefined {
  return repository === '' ? undefined : `${repository}@${digest}`;
}

export type ParsedRefName = { repository: string; tag: string } | { repository: string; digest: string };

/** A ref name read back; undefined for one that is neither (a name picture-book cannot copy under). */
export function parseRefName(name: string): ParsedRefName | undefined {
  const at = name.indexOf('@');
  if (at >= 0) {
    const repository = name.slice(0, at);
    const digest = name.slice(at + 1);
    return isRepositoryPath(repository) && isDigest(digest) ? { repository, digest } : undefined;
  }
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    const repository = name.slice(0, colon);
    const tag = name.slice(colon + 1);
    return isRepositoryPath(repository) && isTag(tag) ? { repository, tag } : undefined;
  }
  return isTag(name) ? { repository: '', tag: name } : undefined;
}
