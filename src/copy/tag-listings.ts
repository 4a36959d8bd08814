import { randomUUID } from 'node:crypto';
import { parseReference } from '../reference/index.js';
import { ReferrersApiAnswers } from './referrers/referrers-api-answers.js';

/**
 * A repository's tags listed once per run: the listing of a selection rule (remembered here) or of
 * the first copy that needs it (cosign's `sha256-<hex>.*` tags), shared by every later copy of that
 * repository. A run creates one and drops it at its end, so the next run lists afresh.
 */
export class TagListings {
  /**
   * Names these listings to the processes that copy for the run (queue workers, which keep their
   * own listings under it: src/queue/run-listings.ts); a new run's listings have a new name.
   */
  readonly id: string = randomUUID();
  #lists = new Map<string, Promise<readonly string[]>>();
  /** Which source repositories have no referrers API, learnt once per run as their tags are. */
  readonly referrersApi = new ReferrersApiAnswers();

  /** `registry/repository` as a reference names it (`docker.io/library/x` for `x`), so both sides agree. */
  static key(registry: string, repository: string): string {
    try {
      const ref = parseReference(`${registry}/${repository}`);
      return `${ref.registry}/${ref.repository}`;
    } catch {
      return `${registry}/${repository}`; // not a registry's (a layout's): nobody shares it
    }
  }

  /** What a rule listed: later copies of the repository read it rather than listing again. */
  remember(registry: string, repository: string, tags: readonly string[]): void {
    this.#lists.set(TagListings.key(registry, repository), Promise.resolve(tags));
  }

  /** The tags of `registry/repository` when this run listed them already; undefined (nothing asked) when not. */
  listed(registry: string, repository: string): Promise<readonly string[]> | undefined {
    return this.#lists.get(TagListings.key(registry, repository));
  }

  /**
   * The tags of `registry/repository`, listed by `list` the first time only; a failed listing is
   * shared too (every copy then warns that it could not look for cosign tags, and none asks again).
   */
  tags(registry: string, repository: string, list: () => Promise<readonly string[]>): Promise<readonly string[]> {
    const key = TagListings.key(registry, repository);
    let listed = this.#lists.get(key);
    if (!listed) {
      listed = list();
      this.#lists.set(key, listed);
      // Read by whoever asks; a rejection nobody awaited yet is not an unhandled one.
      listed.catch(() => undefined);
    }
    return listed;
  }
}
