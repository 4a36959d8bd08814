import type { CopyTask } from '../../copy/index.js';
import { PictureBookError } from '../../errors/index.js';
import type { CopyJobData } from '../../queue/copy-job.js';
import { endpointsFingerprint } from '../../queue/job-id.js';
import { QUEUE_KEY_ENV } from '../../queue/queue-key.js';
import { seal, unseal } from '../../queue/sealed-box.js';
import { parseEndpoint } from './endpoint-address.js';
import { endpointOptions, type EndpointContext } from './endpoint-options.js';
import {
  describeIssues,
  distributeRequestSchema,
  imageReference,
  type DistributeRequest,
  type DistributeTarget,
} from './request-schema.js';
import { jobSecrets } from './scrub-request.js';

/** The `registry` of a distribute copy job: no registries entry describes it, the job carries its endpoints. */
export const DISTRIBUTE_JOBS = 'distribute';

/** The one copy of a queued distribute job: its source and target references, and whether it overwrites. */
export interface DistributeCopy {
  source: string;
  target: string;
  force: boolean;
}

const hasAuth = (request: Pick<DistributeRequest, 'source' | 'targets'>): boolean =>
  [request.source, ...request.targets].some((side) => side.auth !== undefined);

/** Why this request cannot go through the queue (credentials and no key to seal them with); undefined when it can. */
export function queueKeyProblem(request: DistributeRequest, key: Buffer | undefined): string | undefined {
  if (key !== undefined || !hasAuth(request)) return undefined;
  return (
    'this server hands distribute copies to workers through its queue (queue.url) and has no queue key ' +
    `(queue.keyFile or $${QUEUE_KEY_ENV}) to seal credentials with: a request with auth is refused rather than queued in clear. ` +
    'Give sync and every worker the same key, or send the request without auth'
  );
}

/** What authenticates a sealed box: the copy it belongs to (a box moved to another job does not open). */
const context = (copy: Pick<CopyJobData, 'source' | 'target'>): string => `${copy.source}\n${copy.target}`;

/**
 * The job data of one target copy of a distribute job: the request cut to that target, sealed with
 * the queue key; without a key, plain only when it holds no credentials (else a QUEUE_KEY_MISSING error).
 */
export function distributeJobData(
  key: Buffer | undefined,
  copy: DistributeCopy,
  source: DistributeRequest['source'],
  target: DistributeTarget,
): CopyJobData {
  const request = { source, targets: [target] };
  const problem = queueKeyProblem(request, key);
  if (problem) throw new PictureBookError('QUEUE_KEY_MISSING', problem);
  return {
    registry: DISTRIBUTE_JOBS,
    source: copy.source,
    target: copy.target,
    ...(copy.force ? { force: true } : {}),
    endpoints: key ? { sealed: seal(key, context(copy), request) } : { plain: request },
    // The sealed box differs at every seal (a fresh IV): the fingerprint tells equal requests apart from different ones.
    fingerprint: endpointsFingerprint(key, request),
  };
}

/**
 * On the worker: the task of a distribute copy job, its endpoints built as the server would (the
 * worker's api.distributeAllowedNetworks checks every address); `keepSecrets` hears the secrets it carries (for the scrubber).
 */
export async function openDistributeJob(
  data: CopyJobData,
  key: Buffer | undefined,
  endpoint: EndpointContext & { keepSecrets: (secrets: ReturnType<typeof jobSecrets>) => void },
): Promise<CopyTask> {
  const carried = data.endpoints;
  if (carried === undefined) throw new PictureBookError('QUEUE', `${data.target}: the job carries no endpoints`);
  let raw: unknown;
  if ('sealed' in carried) {
    if (!key)
      throw new PictureBookError(
        'QUEUE',
        `${data.target}: the job's credentials are sealed and this worker has no queue key (queue.keyFile or $${QUEUE_KEY_ENV})`,
      );
    raw = unseal(key, context(data), carried.sealed, data.target);
  } else raw = carried.plain;
  const parsed = distributeRequestSchema.safeParse(raw);
  if (!parsed.success)
    throw new PictureBookError('QUEUE', `${data.target}: the job's endpoints are not a valid request: ${describeIssues(parsed.error)}`);
  const request = parsed.data;
  // Known to the scrubber before anything may fail and say why.
  endpoint.keepSecrets(jobSecrets(request));
  const [target] = request.targets;
  if (!target || request.targets.length !== 1) throw new PictureBookError('QUEUE', `${data.target}: the job must name exactly one target`);
  const sourceAddress = parseEndpoint(request.source.endpoint);
  const targetAddress = parseEndpoint(target.endpoint);
  // The references travel in the clear too: they must be the ones the sealed request names.
  const source = imageReference(sourceAddress.host, request.source.image, request.source.ref);
  const targetRef = imageReference(targetAddress.host, request.source.image, request.source.ref);
  if (source !== data.source || targetRef !== data.target)
    throw new PictureBookError('QUEUE', `${data.target}: the job's references are not those of its request`);
  const [pull, push] = await Promise.all([
    endpointOptions(request.source, sourceAddress, endpoint),
    endpointOptions(target, targetAddress, endpoint),
  ]);
  return { source, target: targetRef, ...(data.force ? { force: true } : {}), sourceEndpoint: pull, targetEndpoint: push };
}
