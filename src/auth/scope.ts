/**
 * Token scopes are `type:name:actions` (`repository:library/nginx:pull,push`, `registry:catalog:*`).
 * The name may itself contain ':' (a `host:port/` prefix is allowed there), actions never do,
 * so the actions are whatever follows the last ':'.
 */
interface ParsedScope {
  /** `type:name`, the part that identifies the resource. */
  resource: string;
  actions: string[];
}

function parse(scope: string): ParsedScope | undefined {
  const last = scope.lastIndexOf(':');
  // Fewer than two ':' is not a scope we understand; callers keep such a string as it is.
  if (last <= 0 || scope.indexOf(':') === last) return undefined;
  return {
    resource: scope.slice(0, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  };
}

// Plain code-unit order: localeCompare would make the cache key depend on the machine's locale.
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function format(resource: string, actions: Iterable<string>): string {
  return `${resource}:${[...new Set(actions)].sort(byCodeUnit).join(',')}`;
}

/** Actions sorted and de-duplicated, so `push,pull` and `pull,push` are the same scope. */
export function normaliseScope(scope: string): string {
  const trimmed = scope.trim();
  const parsed = parse(trimmed);
  return parsed ? format(parsed.resource, parsed.actions) : trimmed;
}

/**
 * One scope per resource with the union of its actions, sorted so the same set always comes out
 * the same. An input may hold several space-separated scopes, as a challenge's `scope` does.
 */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  const unparsed = new Set<string>();
  for (const group of scopes) {
    for (const scope of group.split(/\s+/)) {
      if (scope === '') continue;
      const parsed = parse(scope);
      if (!parsed) {
        unparsed.add(scope);
        continue;
      }
      let actions = byResource.get(parsed.resource);
      if (!actions) byResource.set(parsed.resource, (actions = new Set()));
      for (const action of parsed.actions) actions.add(action);
    }
  }
  const merged = [...byResource].map(([resource, actions]) => format(resource, actions));
  return [...merged, ...unparsed].sort(byCodeUnit);
}

/** A stable key for a token cache: scope lists that are equal as sets give equal keys. */
export function scopeSetKey(scopes: Iterable<string>): string {
  return mergeScopes(scopes).join(' ');
}
