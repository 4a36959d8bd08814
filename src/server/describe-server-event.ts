import { describeEvent, imageCountsPhrase } from '../display/event-lines.js';
import { crashReason } from '../store/index.js';
import { describeDiff } from './config-diff.js';
import type { ServerEvent } from './sync-service.js';

const when = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString());

/** The text of any event of the sync server, as its log's `msg`; run and copy events as the CLI prints them. */
export function describeServerEvent(event: ServerEvent): string {
  switch (event.type) {
    case 'sync-scheduled':
      return `scheduled "${event.schedule}", next run ${when(event.nextRun)}`;
    case 'sync-run-started':
      return `run started (${event.trigger})`;
    case 'sync-run-finished':
      return `run ${event.result}: ${imageCountsPhrase(event)}${event.error ? `: ${event.error}` : ''}`;
    case 'sync-tick-skipped':
      return `tick skipped: the previous run is still going (${event.skippedTicks} skipped so far)`;
    case 'sync-paused':
      return event.cancelledRun ? 'paused; the running run was cancelled' : 'paused';
    case 'sync-resumed':
      return `resumed, next run ${when(event.nextRun)}`;
    case 'sync-removed':
      return 'no longer configured: stopped';
    case 'sync-store-failed':
      return `run history could not be written: ${event.message}`;
    case 'api-listening':
      return `API listening on ${event.url} (auth ${event.auth ? 'on' : 'off'})`;
    case 'api-request':
      return `${event.method} ${event.path} ${event.status}`;
    case 'job-queued':
      return `distribute job queued (${event.targets} targets)`;
    case 'job-started':
      return 'distribute job running';
    case 'job-target-finished':
      return `target ${event.endpoint}: ${event.outcome}${event.error ? `: ${event.error.message}` : ''}`;
    case 'job-finished':
      return `distribute job ${event.state}`;
    case 'job-requeued':
      return 'distribute job interrupted by the stop: queued for the next start';
    case 'jobs-recovered':
      return `${event.ids.length} distribute job(s) left by the previous process queued again`;
    case 'config-reloaded':
      return `configuration reloaded: ${describeDiff(event)}`;
    case 'config-rejected':
      return `configuration change rejected, the previous one keeps running: ${event.problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ')}`;
    case 'history-pruned':
      return `history pruned: ${event.runs} runs, ${event.jobs} jobs`;
    case 'interrupted-runs-closed':
      return `${event.runs} run(s) interrupted by the previous process marked as such`;
    case 'work-not-resumed':
      return `${event.kind === 'run' ? `run ${event.runId}` : 'distribute job'} ${crashReason(event.crashes)} (it may be what kills the process); marked failed`;
    case 'notification-failed':
      return `${event.webhook} was not told of ${event.notification} (${event.registry})${event.attempts > 0 ? ` after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'}` : ''}: ${event.reason}`;
    case 'server-warning':
      return event.message;
    case 'server-name-lost':
      return `another process took this server's name ${event.server} in queue "${event.queue}" while this one had not said it is alive for 30 s (paused, cut off from Redis, or Redis restarted empty or silent at start): this server no longer publishes its new runs nor renews the name, and /healthz answers 503. If the other process is this server started again, stop this one; otherwise two servers share one host name and state.path: give each a state.path of its own (or a host name of its own) and restart this one`;
    case 'server-stopping':
      return `stopping: running work gets ${event.graceMs / 1000}s to finish`;
    case 'server-stopped':
      return 'stopped';
    case 'sync-run-elsewhere':
      return event.scheduledAt === null
        ? `no ${event.trigger} run here: another sync server sharing the queue is running this registry`
        : `tick of ${when(event.scheduledAt)} taken by another sync server sharing the queue`;
    case 'queue-unreachable':
      return `the queue's Redis cannot be reached (${event.message}): work waits and is retried until it answers`;
    case 'queue-reachable':
      return "the queue's Redis answers again: work resumes";
    case 'queue-abandoned':
      return event.role === 'worker'
        ? `the queue's Redis cannot be reached: stopping without it; ${event.jobs} copy job(s) under way go to another worker once their locks lapse (queue.stalledSeconds)`
        : `the queue's Redis cannot be reached: stopping without it; ${event.jobs} copy job(s) followed end cancelled in their runs (a job still queued may be copied by a worker once Redis is back)`;
    case 'worker-ready':
      return `worker ${event.worker} takes copy jobs of queue "${event.queue}" (${event.concurrency} at once, ${event.prefetch} more taken ahead)`;
    case 'copy-job-returned':
      return `copy job not started (${event.why === 'held' ? 'every copy slot stayed busy' : 'the worker stops'}), back to the queue for another worker: ${event.target}`;
    case 'copy-job-taken':
      return `copy job taken: ${event.source} -> ${event.target}${event.attempt > 1 ? ` (try ${event.attempt})` : ''}`;
    case 'copy-job-ended':
      if (event.status === 'set-aside') return `copy job set aside until its source host may have a free copy slot: ${event.target}`;
      return event.status === 'interrupted'
        ? `copy job handed back to the queue: ${event.target}`
        : `copy job ${event.status}: ${event.target}`;
    case 'copy-job-result-seen':
      return `copy job result received: ${event.target}`;
    case 'copy-job-waiting':
      return `${event.target}: another worker is writing ${event.digest} there; this copy waits for it`;
    case 'host-slot-waiting':
      return `${event.target}: ${event.host} has its ${event.limit} copy slots taken (queue.sourceCopies); this copy is set aside until one may be free`;
    case 'host-pause-shared':
      return `${event.host}: worker ${event.from} got a 429; requests to it wait ${Math.ceil(event.waitMs / 1000)}s here too`;
    case 'copy-job-lost':
      return `${event.target}: Redis lost its copy job (restarted without its data?); the job is added again`;
    case 'copy-job-stalled':
      return `${event.target}: its worker stopped answering; the copy goes to another worker`;
    default:
      return (describeEvent(event) ?? [event.type]).join('\n');
  }
}
