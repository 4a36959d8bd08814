import type { RecordedRequest } from '../test/harness/index.js';

/** What a request was about, from its path. */
export function requestKind(path: string): 'manifest' | 'blob' | 'upload' | 'tags' | 'catalog' | 'ping' | 'other' {
  const pathname = path.split('?')[0] ?? path;
  if (pathname.endsWith('/tags/list')) return 'tags';
  if (pathname === '/v2/_catalog') return 'catalog';
  if (/\/manifests\/[^/]+$/.test(pathname)) return 'manifest';
  if (pathname.includes('/blobs/uploads/')) return 'upload';
  if (/\/blobs\/[^/]+$/.test(pathname)) return 'blob';
  if (pathname === '/v2/' || pathname === '/v2') return 'ping';
  return 'other';
}

/** Requests one side of a run received, counted as `"METHOD kind"` (e.g. `"HEAD manifest": 76`). */
export type RequestCounts = Record<string, number>;

export function countRequests(requests: readonly RecordedRequest[]): RequestCounts {
  const counts: RequestCounts = {};
  for (const r of requests) {
    const key = `${r.method} ${requestKind(r.path)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** GETs of manifests or blobs: what a no-change run must not do (they cost pulls on Hub, Harbor). */
export function contentGets(counts: RequestCounts): number {
  return (counts['GET manifest'] ?? 0) + (counts['GET blob'] ?? 0);
}

export function totalRequests(counts: RequestCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export interface CountedRun {
  wallMs: number;
  source: RequestCounts;
  target: RequestCounts;
}
