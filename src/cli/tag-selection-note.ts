import type { DroppedTag, RuleExpansion, TagFilterName } from '../select/index.js';

const FILTER_ORDER: readonly TagFilterName[] = ['include', 'exclude', 'semver', 'latest'];

/** `2 by --exclude, 1 by --latest`: how many tags each filter dropped, in the order they apply. */
function droppedByFlag(expansion: RuleExpansion): string {
  return FILTER_ORDER.flatMap((filter) => {
    const n = expansion.dropped.filter((drop) => drop.filter === filter).length;
    return n > 0 ? [`${n} by --${filter}`] : [];
  }).join(', ');
}

/**
 * What `copy --all-tags` selected, before it copies: `HOST/REPO: 40 tags listed, 12 selected, 28
 * dropped (20 by --include, 8 by --latest)`, and with -v each dropped tag with the flag and the
 * reason, flag by flag in that order. Warnings of the listing (a tag that is no valid reference) follow; an empty selection is
 * said by the counts.
 */
export function selectionNote(expansion: RuleExpansion, verbose: boolean): string[] {
  const repository = expansion.repositories[0];
  const listed = repository?.listed ?? 0;
  const kept = expansion.images.length;
  const name = repository ? `${repository.registry}/${repository.repository}` : expansion.rule.label;
  const dropped = expansion.dropped.length;
  const lines = [
    `${name}: ${listed} ${listed === 1 ? 'tag' : 'tags'} listed, ${kept} selected${dropped > 0 ? `, ${dropped} dropped (${droppedByFlag(expansion)})` : ''}`,
  ];
  if (verbose) {
    // Grouped by flag in the order the filters apply (as the counts above), each group in name order.
    const rank = (drop: DroppedTag): number => FILTER_ORDER.indexOf(drop.filter);
    const inOrder = [...expansion.dropped].sort((a, b) => rank(a) - rank(b));
    for (const drop of inOrder) lines.push(`  dropped ${drop.tag} by --${drop.filter}: ${drop.reason}`);
  }
  for (const problem of expansion.problems) {
    if (problem.severity === 'warning' && problem.code !== 'EMPTY_SELECTION') lines.push(`warning: ${problem.message}`);
  }
  return lines;
}
