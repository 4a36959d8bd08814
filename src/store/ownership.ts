/**
 * What pruning needs from the history: which target tags picture-book itself wrote from which rule
 * (it never deletes anything else), how long a source repository has been missing, and a record of
 * every deletion. `ruleKey` names a rule by what it mirrors (source and target place), not by its
 * position in the file, so reordering `mirrors:` keeps what each rule owns.
 */
export interface OwnedTag {
  /** The configured target registry (`hostname`). */
  registry: string;
  ruleKey: string;
  /** Full target reference, `host/repo:tag`. */
  target: string;
  /** Full source reference it was copied from. */
  source: string;
  /** What picture-book wrote there: a tag holding anything else is no longer its own. */
  digest: string;
  writtenAt: number;
  /** The last run whose selection still held it. */
  lastSeenAt: number;
}

export interface PrunedTag {
  runId: number | null;
  registry: string;
  /** The rule's label (`mirrors[0]`) and key, as the run knew it. */
  rule: string;
  target: string;
  digest: string;
  /** Why: `gone from the source`, `dropped by exclude`, `source repository missing for 2 runs`. */
  reason: string;
  prunedAt: number;
}

/** An owned tag a run's pruning left in place (`kept`: a guard, a shared digest, an incomplete listing) or could not delete. */
export interface SkippedPrune {
  runId: number;
  rule: string;
  target: string;
  digest: string;
  outcome: 'kept' | 'failed';
  reason: string;
  at: number;
}

/** A referrer manifest a run copied for `target` (a tag), when that tag held `imageDigest`. */
export interface OwnedReferrer {
  target: string;
  imageDigest: string;
  /** The referrer manifest's digest. */
  digest: string;
  /** What it refers to: the image, one of its index's children, or another referrer (a signature of an SBOM). */
  subject: string;
  /**
   * Its deletion failed after its image was deleted: the next prune of the tag deletes it even when
   * the tag was written again meanwhile and holds another image (absent: a record like any other).
   */
  owed?: boolean;
}

export interface OwnershipLedger {
  /** Records that picture-book wrote `target` (digest) from a rule; refreshes the digest when it wrote it again. */
  recordWritten(tags: ReadonlyArray<Omit<OwnedTag, 'lastSeenAt' | 'writtenAt'>>, at: number): Promise<void>;
  /** Marks tags the rule still selects (and picture-book still owns) as seen now. */
  markSeen(ruleKey: string, targets: readonly string[], at: number): Promise<void>;
  ownedTags(ruleKey: string): Promise<OwnedTag[]>;
  /** Gives up a tag (deleted, gone, or rewritten by someone else). */
  release(ruleKey: string, target: string): Promise<void>;
  /** One more run in a row that `repository` was missing; returns the count (this run included). */
  countMissing(ruleKey: string, repository: string, at: number): Promise<number>;
  /** The repository answered again: its missing streak ends. */
  clearMissing(ruleKey: string, repository: string): Promise<void>;
  /** How many runs in a row it has been missing so far (0 when not missing). */
  missingRuns(ruleKey: string, repository: string): Promise<number>;
  recordPruned(tag: PrunedTag): Promise<void>;
  /** Newest first; one registry's, one run's when given. */
  prunedTags(options: { registry?: string; runId?: number; limit: number }): Promise<PrunedTag[]>;
  /** Kept with the run: they go when it does (state.retentionDays). */
  recordSkipped(skips: readonly SkippedPrune[]): Promise<void>;
  /** One run's, in the order it recorded them. */
  skippedPrunes(runId: number): Promise<SkippedPrune[]>;
  recordReferrers(referrers: readonly OwnedReferrer[], at: number): Promise<void>;
  /** Those of every tag of one repository: `repository` is `host/name`. */
  ownedReferrers(repository: string): Promise<OwnedReferrer[]>;
  /**
   * The tag was pruned or is no longer picture-book's: its referrers are no longer its to delete.
   * With `digests`, only those (deleted while others failed: their records stay for the next run).
   */
  forgetReferrers(target: string, digests?: readonly string[]): Promise<void>;
}
