/**
 * Token scopes (`type:name:actions`) for what references name, built here only (as
 * go-containerregistry's `Repository.Scope` and `Registry.Scope`): auth/scope.ts reads them back.
 */

/** The scope of a repository, e.g. `repository:library/nginx:pull,push`. */
export function repositoryScope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

/** The scope that lists a registry's repositories (`_catalog`). */
export const CATALOG_SCOPE = 'registry:catalog:*';
