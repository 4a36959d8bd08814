import type { SchedulerEvent } from '../../scheduler/index.js';
import type { JobState } from '../../store/index.js';
import type { ServiceEvent } from '../service-events.js';
import type { HostEvent } from '../../transport/index.js';
import type { PruneEvent } from '../../prune/index.js';
import type { QueueEvent } from '../../queue/index.js';
import { CollectedGauge, Counter, Histogram, renderMetrics, type Metric } from './prometheus.js';

export interface MetricSources {
  synchronizerStates: () => Array<{ registry: string; state: string }>;
  jobCounts: () => Promise<Record<JobState, number>>;
  /** Whether the queue's Redis answers; absent: no queue. */
  queueReachable?: () => boolean;
}

/**
 * The server's Prometheus metrics, fed by its own events (runs, ticks, jobs, requests) and by
 * gauges read at scrape time from the scheduler and the store.
 */
export class SyncMetrics {
  readonly runs = new Counter('picture_book_sync_runs_total', 'Finished sync runs by registry and result.');
  readonly images = new Counter(
    'picture_book_sync_images_total',
    'Images handled by sync runs, by registry and status (copied, up_to_date, failed, cancelled, skipped: left out by a platform filter that skips).',
  );
  readonly bytes = new Counter('picture_book_sync_bytes_total', 'Blob bytes copied by sync runs, by registry.');
  readonly referrers = new Counter(
    'picture_book_sync_referrers_total',
    'Signatures, attestations and SBOMs (OCI referrers, cosign tags) that followed the images of sync runs, by registry and status (copied, present, failed).',
  );
  readonly durations = new Histogram(
    'picture_book_sync_run_duration_seconds',
    'Duration of sync runs, by registry.',
    [1, 5, 15, 30, 60, 300, 900, 1800, 3600],
  );
  readonly skippedTicks = new Counter(
    'picture_book_sync_skipped_ticks_total',
    'Schedule ticks skipped because the previous run was still going.',
  );
  readonly jobTargets = new Counter(
    'picture_book_distribute_targets_total',
    'Distribute job targets by outcome (finished, skipped, failed).',
  );
  readonly requests = new Counter('picture_book_http_requests_total', 'API requests by method, route and status code.');
  readonly hostPauses = new Counter(
    'picture_book_registry_pauses_total',
    'Pauses of every request to a registry host, by reason (quota: its pull quota at the reserve; rate_limited: a 429).',
  );
  readonly pruned = new Counter(
    'picture_book_pruned_total',
    'Target tags, and the referrers recorded with them, deleted by pruning, by registry and rule.',
  );
  readonly queueOutages = new Counter(
    'picture_book_queue_unreachable_total',
    "Times the queue's Redis could not be reached (scale-out: `queue:`); work waits and resumes when it answers.",
  );
  readonly stalledJobs = new Counter(
    'picture_book_queue_stalled_jobs_total',
    'Copy jobs whose worker stopped answering and that went to another worker, by registry.',
  );
  /** The latest `ratelimit-remaining` each registry host answered with. */
  #quota = new Map<string, number>();
  #all: Metric[];

  constructor(sources: MetricSources) {
    const synchronizers = new CollectedGauge(
      'picture_book_synchronizers',
      'Synchronizers by registry and state (1 for the current state).',
      async () => sources.synchronizerStates().map(({ registry, state }) => ({ labels: { registry, state }, value: 1 })),
    );
    const jobs = new CollectedGauge('picture_book_distribute_jobs', 'Distribute jobs in the history by state.', async () =>
      Object.entries(await sources.jobCounts()).map(([state, value]) => ({ labels: { state }, value })),
    );
    const quota = new CollectedGauge(
      'picture_book_registry_quota_remaining',
      'Pulls left in the quota of a registry host, as its last answer with ratelimit-remaining said (Docker Hub).',
      async () => [...this.#quota].map(([registry, value]) => ({ labels: { registry }, value })),
    );
    const queueUp = new CollectedGauge(
      'picture_book_queue_up',
      "1 when the queue's Redis answers, 0 when it cannot be reached.",
      async () => (sources.queueReachable ? [{ labels: {}, value: sources.queueReachable() ? 1 : 0 }] : []),
    );
    this.#all = [
      this.runs,
      this.images,
      this.bytes,
      this.referrers,
      this.durations,
      this.skippedTicks,
      synchronizers,
      jobs,
      this.jobTargets,
      this.requests,
      quota,
      this.hostPauses,
      this.pruned,
      queueUp,
      this.queueOutages,
      this.stalledJobs,
    ];
  }

  observe(event: SchedulerEvent | ServiceEvent | { type: string }): void {
    const e = event as SchedulerEvent | ServiceEvent | HostEvent | QueueEvent | PruneEvent;
    switch (e.type) {
      case 'sync-run-finished': {
        const registry = e.registry;
        this.runs.inc({ registry, result: e.result });
        this.images.inc({ registry, status: 'copied' }, e.copied);
        this.images.inc({ registry, status: 'up_to_date' }, e.upToDate);
        this.images.inc({ registry, status: 'failed' }, e.failed);
        // A pause or stop is not a failure: counted on its own so it does not inflate `failed`.
        this.images.inc({ registry, status: 'cancelled' }, e.cancelled);
        // Left out by a platform filter (`missingPlatforms: skip`): neither copied nor a failure.
        this.images.inc({ registry, status: 'skipped' }, e.skipped ?? 0);
        this.bytes.inc({ registry }, e.bytes);
        for (const status of ['copied', 'present', 'failed'] as const) this.referrers.inc({ registry, status }, e.referrers?.[status] ?? 0);
        this.durations.observe({ registry }, e.durationMs / 1000);
        break;
      }
      case 'prune':
        if (e.action === 'deleted') this.pruned.inc({ registry: e.registry, rule: e.rule });
        break;
      case 'sync-tick-skipped':
        this.skippedTicks.inc({ registry: e.registry });
        break;
      case 'job-target-finished':
        this.jobTargets.inc({ outcome: e.outcome });
        break;
      case 'api-request':
        this.requests.inc({ method: e.method, route: e.route, status: String(e.status) });
        break;
      case 'host-quota':
        this.#quota.set(e.host, e.remaining);
        break;
      case 'host-paused':
        // A pause is counted once, not again when a later 429 lengthens it.
        if (e.reason === 'rate-limited' && e.lengthened) break;
        this.hostPauses.inc({ registry: e.host, reason: e.reason === 'quota' ? 'quota' : 'rate_limited' });
        break;
      case 'queue-unreachable':
        this.queueOutages.inc({});
        break;
      case 'copy-job-stalled':
        this.stalledJobs.inc({ registry: e.registry });
        break;
      default:
        break;
    }
  }

  render(): Promise<string> {
    return renderMetrics(this.#all);
  }
}
