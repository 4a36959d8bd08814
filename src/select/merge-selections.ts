import { parseReference } from '../reference/index.js';
import type { SelectedImage, SelectionProblem } from './expansion.js';

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
    planned.push({ ...first, ...(force ? { force: true } : {}), rules });
  }
  return { images: planned, problems };
}
