/**
 * Listing progress of one rule, for a live display ("team/: 41 repositories, 1,204 tags so far").
 * `rule` is the rule's label. The library logs nothing itself: these are all it says.
 */
export type SelectionEvent =
  /** After each catalog page: names listed so far, and how many of them the rule mirrors. */
  | { type: 'repositories-found'; rule: string; registry: string; found: number; selected: number }
  /** After each tags page: this repository's tags so far, and the rule's across its repositories. */
  | { type: 'tags-found'; rule: string; registry: string; repository: string; found: number; total: number }
  /** A repository's tags are listed and filtered. */
  | { type: 'repository-selected'; rule: string; registry: string; repository: string; listed: number; kept: number };

export type SelectionEventListener = (event: SelectionEvent) => void;
