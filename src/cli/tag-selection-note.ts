import type { RuleExpansion, TagFilterName } from '../select/index.js';

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
 * reason. Warnings of the listing (a tag that is no valid reference) follow; an empty selection is
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
  if (verbose) for (const drop of expansion.dropped) lines.push(`  dropped ${drop.tag} by --${drop.filter}: ${drop.reason}`);
  for (const problem of expansion.problems) {
    if (problem.severity === 'warning' && problem.code !== 'EMPTY_SELECTION') lines.push(`warning: ${problem.message}`);
  }
  return lines;
}
