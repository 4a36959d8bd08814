import { parseReference } from '../reference/index.js';
import type { SelectedImage, SelectionProblem } from './expansion.js';
import type { ArtifactTypeFilter } from '../copy/referrers/artifact-filter.js';

/** An image to copy, once, with every rule that selected it. */
export interface PlannedImage extends SelectedImage {
  rules: string[];
}

/** A target tag is one slot: `host/repo:tag`. A digest-only target is its content, so never a conflict. */
function slotOf(target: string): string {
  const ref = parseReference(target);
  return ref.tag !== undefined ? `${ref.name}:${ref.tag}` : `${ref.name}@${ref.digest ?? ''}`;
}

/** A source as the copy reads it: no tag and no digest is `latest` (`host/app` and `host/app:latest` are one image). */
function sourceKey(source: string): string {
  const ref = parseReference(source);
  return ref.tag === undefined && ref.digest === undefined ? ref.withTag('latest').toString() : ref.toString();
}

/** The same platforms, and the same choice for an image without them (fail or skip). */
const samePlatforms = (a: SelectedImage, b: SelectedImage): boolean =>
  [...(a.platforms ?? []), a.missingPlatforms ?? ''].sort().join(',') ===
  [...(b.platforms ?? []), b.missingPlatforms ?? ''].sort().join(',');

function collision(slot: string, claims: readonly SelectedImage[]): SelectionProblem {
  const sources = claims.map((c) => ({ source: c.source, rule: c.rule }));
  const first = claims[0];
  const sameSource = new Set(claims.map((c) => sourceKey(c.source))).size === 1;
  const listed = claims.map((c) => `${c.source} (${c.rule}${c.platforms ? `, platforms ${c.platforms.join(',')}` : ''})`).join(' and ');
  const why = sameSource ? 'with different platforms' : 'from different sources';
  return {
    code: 'TARGET_COLLISION',
    severity: 'error',
    rule: first?.rule ?? '',
    registry: parseReference(slot.replace(/@.*$/, '')).registry,
    collision: { target: slot, sources },
    message: `${slot} is selected ${why}: ${listed}; a tag holds one image, so none of them is copied there: rename one with target: or filter it out`,
  };
}

/**
 * Merges what several rules (and `images:` entries, and syncer-script lines) selected for one
 * target registry: the same source to the same target is one copy (forced if any rule forces it);
 * two different sources (or one source with different platforms) for one target tag are an error
 * before any copy, naming both, and neither is copied there (otherwise every run would copy one
 * over the other). Order: first selection first.
 */
export function mergeSelections(images: readonly SelectedImage[]): { images: PlannedImage[]; problems: SelectionProblem[] } {
  const bySlot = new Map<string, SelectedImage[]>();
  for (const image of images) {
    const slot = slotOf(image.target);
    const claims = bySlot.get(slot);
    if (claims) claims.push(image);
    else bySlot.set(slot, [image]);
  }
  const planned: PlannedImage[] = [];
  const problems: SelectionProblem[] = [];
  for (const [slot, claims] of bySlot) {
    const [first] = claims;
    if (!first) continue;
    const conflicting = slot.includes('@')
      ? claims.filter((c) => !samePlatforms(c, first))
      : claims.filter((c) => sourceKey(c.source) !== sourceKey(first.source) || !samePlatforms(c, first));
    if (conflicting.length > 0) {
      // One line per distinct claim: the same source from two rules is named once per rule.
      problems.push(collision(slot, claims));
      continue;
    }
    const rules = [...new Set(claims.map((c) => c.rule))];
    const force = claims.some((c) => c.force === true);
    // Referrers (and cosign tags) stay off only when every rule selecting the image turns them off.
    const referrers = mergedSwitch(claims.map((c) => c.referrers));
    const cosignTags = mergedSwitch(claims.map((c) => c.cosignTags));
    const artifactTypes = mergedFilter(claims.map((c) => c.artifactTypes));
    const { referrers: _r, cosignTags: _c, artifactTypes: _a, ...rest } = first;
    planned.push({
      ...rest,
      ...(force ? { force: true } : {}),
      ...(referrers !== undefined ? { referrers } : {}),
      ...(cosignTags !== undefined ? { cosignTags } : {}),
      ...(artifactTypes !== undefined ? { artifactTypes } : {}),
      rules,
    });
  }
  return { images: planned, problems };
}

/** Off when every rule says off; on when any says on; otherwise unsaid (the registry decides). */
function mergedSwitch(said: ReadonlyArray<boolean | undefined>): boolean | undefined {
  if (said.every((s) => s === false)) return false;
  return said.some((s) => s === true) ? true : undefined;
}

/**
 * Rules that agree on an artifact-type filter keep it; none saying one leaves it to the registry;
 * rules that disagree (or one that says none while another says one) let every type through:
 * one rule's filter never takes from the image what another rule selecting it wants.
 */
function mergedFilter(said: ReadonlyArray<ArtifactTypeFilter | undefined>): ArtifactTypeFilter | undefined {
  if (said.every((s) => s === undefined)) return undefined;
  const [first, ...others] = said.map((s) => JSON.stringify(s ?? null));
  return others.every((o) => o === first) ? said[0] : {};
}
