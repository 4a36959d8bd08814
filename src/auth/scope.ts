/** `type:name:actions`; the name may itself contain ':' (a registry with a port), actions never do. */
function split(scope: string): { resource: string; actions: string[] } {
  const last = scope.lastIndexOf(':');
  if (last < 0) return { resource: scope, actions: [] };
  return { resource: scope.slice(0, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

/** Actions sorted and de-duplicated, so `push,pull` and `pull,push` are the same scope. */
export function normaliseScope(scope: string): string {
  const { resource, actions } = split(scope);
  return `${resource}:${[...new Set(actions)].sort().join(',')}`;
}

/** One scope per resource with the union of its actions, in a stable order. */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    if (!scope) continue;
    const { resource, actions } = split(scope);
    let set = byResource.get(resource);
    if (!set) byResource.set(resource, (set = new Set()));
    for (const action of actions) set.add(action);
  }
  return [...byResource.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`);
}

/** A stable key for a token cache: equal scope sets give equal keys. */
export function scopeSetKey(scopes: Iterable<string>): string {
  return mergeScopes(scopes).join(' ');
}
