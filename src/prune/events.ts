/**
 * What pruning did (or, on a dry run or `--prune-plan`, would do) with one target tag a rule
 * owns and no longer selects. `registry` is the configured target `hostname`.
 */
export interface PruneEvent {
  type: 'prune';
  registry: string;
  /** The rule's label: `mirrors[0]`. */
  rule: string;
  target: string;
  digest: string;
  /**
   * `deleted`, `would-delete` (dry run), `kept` (stays this run: a source not listed completely,
   * a grace run, a shared digest, the guard), `released` (not picture-book's any more: gone or
   * rewritten at the target), `failed`.
   */
  action: 'deleted' | 'would-delete' | 'kept' | 'released' | 'failed';
  /** Why it may go (`gone from the source`), or why it stays. */
  reason: string;
  /** Its source, and the last time a run's selection held it. */
  source: string;
  lastSeenAt: number;
  /** Referrer tags deleted (or to be deleted) with it. */
  referrers?: string[] | undefined;
  /**
   * Set when this is a referrer picture-book copied for a pruned tag (found through the referrers
   * API: no tag leads to it), deleted with it: `target` is then `host/name@<digest>`, and this the tag.
   */
  referrerOf?: string | undefined;
  time: number;
}
