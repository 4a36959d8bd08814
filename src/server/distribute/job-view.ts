import type { JobRecord } from '../../store/index.js';

/** A job as the transfer-service API shows it. */
export interface JobView {
  value: JobRecord['state'];
  started_at: string | null;
  finished_endpoints: string[];
  skipped_clusters: string[];
  finished_at: string | null;
  errors: Array<{ endpoint: string; code: string; message: string }>;
}

/** ISO 8601 with an explicit `+00:00` offset, as the transfer-service API prints its times. */
export function apiTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace(/Z$/, '+00:00');
}

export function jobView(job: JobRecord): JobView {
  const endpoints = (outcome: string) => job.targets.filter((t) => t.outcome === outcome).map((t) => t.endpoint);
  return {
    value: job.state,
    started_at: apiTime(job.startedAt),
    finished_endpoints: endpoints('finished'),
    skipped_clusters: endpoints('skipped'),
    finished_at: apiTime(job.finishedAt),
    errors: job.targets.flatMap((t) =>
      t.outcome === 'failed' ? [{ endpoint: t.endpoint, code: t.error?.code ?? 'UNKNOWN', message: t.error?.message ?? '' }] : [],
    ),
  };
}

/** What a listing shows of a job's request: where from and to, never its auth blocks. */
function requestSummary(request: unknown): { source: { endpoint: string; image: string; ref: string } | null; targets: string[] } {
  const r = request as { source?: { endpoint?: unknown; image?: unknown; ref?: unknown }; targets?: unknown } | null;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const source =
    r?.source && typeof r.source === 'object'
      ? { endpoint: text(r.source.endpoint), image: text(r.source.image), ref: text(r.source.ref) }
      : null;
  const targets = Array.isArray(r?.targets) ? r.targets.map((t: unknown) => text((t as { endpoint?: unknown } | null)?.endpoint)) : [];
  return { source, targets };
}

/** One job of `GET /api/distribute/image`: its id, when it was posted, what it copies, and its state as `jobView`. */
export function jobListItem(job: JobRecord) {
  return { id: job.id, created_at: apiTime(job.createdAt), ...requestSummary(job.request), ...jobView(job) };
}
