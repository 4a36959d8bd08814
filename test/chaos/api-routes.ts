/**
 * The routes of a Fastify app as (method, path) pairs, read from its own route table
 * (`printRoutes({ commonPrefix: false })`), so a test that walks them cannot forget a new one:
 *
 *   ├── /ops (GET, HEAD, POST)
 *   └── /api/distribute/image (POST, GET, HEAD)
 *       └── /:id (GET, HEAD)
 */
export interface Route {
  method: string;
  path: string;
}

export function routesOf(tree: string): Route[] {
  const routes: Route[] = [];
  const parents: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line.replace(/\s+$/, ''));
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    parents.length = depth;
    const path = `${parents.join('')}${match[2] ?? ''}`;
    parents.push(match[2] ?? '');
    for (const method of (match[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean))
      routes.push({ method, path });
  }
  return routes;
}

/** A concrete URL for a route: each `:param` filled in. */
export const concrete = (path: string): string => path.replace(/:[^/]+/g, 'some-id');
