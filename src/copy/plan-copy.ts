import { parseReference } from '../reference/index.js';
import { parsePlatform } from '../registry/index.js';
import { checkImage, type PlanAction } from './check-image.js';
import type { CopyTask } from './copy-task.js';
import { ignoreEvents, type CopyEventListener } from './events.js';
import type { OpenRepositories } from './open-repositories.js';
import type { Limiter } from './limiter.js';
import { planReferrers, planSubjects } from './referrers/plan-referrers.js';
import { planPlatforms } from './plan-platforms.js';
import { digestFallback } from './single-copy.js';
import type { TagListings } from './tag-listings.js';
import { withSourceTag } from './target-defaults.js';

/** What `copy` would do: the image's action, and the signatures and attestations it would copy, by artifact type. */
export interface PlanResult {
  /** `skip`: a platform filter leaves nothing of the image (the copy would skip it, `note` says why). */
  action: PlanAction | 'skip';
  digest: string;
  note?: string;
  /** Referrers of the image's own digest missing at the target, and cosign tags that differ (see plan-referrers.ts). */
  referrers?: Record<string, number>;
}

/** What `plan` tells its caller about: digest fallbacks and the retries of its HEADs. */
export interface PlanOptions {
  onEvent?: CopyEventListener;
  /** As CopyRunOptions.tagListings. */
  tagListings?: TagListings;
}

/** The engine's parts a plan goes through: its check limit and its repositories. */
export interface PlanParts {
  /** The source and target of the plan, the target opened for pull; their requests report retries to `emit`. */
  repositories: OpenRepositories;
  checks: Limiter;
}

/** What `copy` would do (HEAD requests, and the listings of signatures and attestations; writes nothing). */
export async function planCopy(task: CopyTask, options: PlanOptions, parts: PlanParts): Promise<PlanResult> {
  const emit = options.onEvent ?? ignoreEvents;
  const source = parseReference(task.source);
  const target = withSourceTag(source, parseReference(task.target));
  const { sourceRepo, targetRepo } = await parts.repositories(source, target, task, emit);
  const check = {
    filtered: (task.platforms ?? []).length > 0,
    force: task.force === true,
    onDigestFallback: digestFallback(target, emit),
  };
  let checked = await parts.checks.run(() => checkImage(source, target, sourceRepo, targetRepo, check));
  const platforms = (task.platforms ?? []).map(parsePlatform);
  const missing = task.missingPlatforms;
  const filtered = check.filtered
    ? await planPlatforms({ source, target, sourceRepo, targetRepo, check: checked, platforms, missing, force: check.force })
    : undefined;
  if (filtered) checked = { ...checked, manifest: filtered.manifest };
  const action = filtered?.action ?? checked.action;
  const digest = checked.digest;
  if (filtered?.action === 'skip') return { action: 'skip', digest, ...(filtered.note ? { note: filtered.note } : {}) };
  if (task.referrers === false) return { action, digest };
  const planned = await planSubjects(sourceRepo, targetRepo, checked, platforms, source.toString(), missing);
  const referrers = await planReferrers({
    source: sourceRepo,
    target: targetRepo,
    subjects: planned.subjects,
    children: planned.children,
    filter: task.artifactTypes ?? {},
    cosignTags: task.cosignTags !== false,
    force: check.force,
    witness: { target: target.toString(), emit },
    referrersApi: options.tagListings?.referrersApi,
    sourceTags: () => {
      const list = () => sourceRepo.listTags();
      return options.tagListings ? options.tagListings.tags(source.registry, source.repository, list) : list();
    },
  });
  return { action, digest, referrers };
}
