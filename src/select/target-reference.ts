import { trimRepositoryPath, withoutHubLibrary, type Reference } from '../reference/index.js';

/**
 * Where a source image lands: `hostname/repository/<source path>:<tag>`. The source path is the
 * repository without its registry host (and without Docker Hub's implicit `library/`); a path that
 * already starts with the prefix is not prefixed twice. No tag and no digest means `latest`.
 */
export function targetReference(source: Reference, hostname: string, repository: string): Reference {
  const prefix = trimRepositoryPath(repository);
  const path = withoutHubLibrary(source.registry, source.repository);
  const full = prefix === '' || path === prefix || path.startsWith(`${prefix}/`) ? path : `${prefix}/${path}`;
  let target = source.withRepository(full, hostname);
  if (!source.tag && !source.digest) target = target.withTag('latest');
  return target;
}
