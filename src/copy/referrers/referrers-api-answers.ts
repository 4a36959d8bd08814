import type { ContentRepository, ReferrersListing } from '../../registry/index.js';

type Answer = 'supported' | 'unsupported' | 'unknown';

/** One repository of one registry: the newline cannot occur in a host or a repository name. */
const keyOf = (repo: ContentRepository): string => `${repo.place}\n${repo.name}`;

/**
 * Which source repositories answered, in one run, that they have no referrers API (a 404 that is
 * not NAME_UNKNOWN, or an answer that is not an index: distribution 2.8, and the spec's word for a
 * registry without it). Every later subject of that repository goes straight to the fallback tag,
 * without asking again. Keyed by registry host and repository, not by host alone: a host may route
 * repositories to different backends (path-routed proxies, Artifactory repository keys, proxy-cache
 * projects), and a wrong "unsupported" would silently miss referrers the fallback tag does not
 * list; one request per repository and run is the same order as its tag listing. A run drops it at
 * its end, so a registry upgraded meanwhile is asked again by the next run.
 */
export class ReferrersApiAnswers {
  #answers = new Map<string, Promise<Answer>>();

  /**
   * Lists through `list` unless `repo` answered unsupported already. While the repository's first
   * listing is in flight the others wait for it rather than asking at once; a listing that failed
   * teaches nothing (the next one asks).
   */
  async list(repo: ContentRepository, list: () => Promise<ReferrersListing>): Promise<ReferrersListing> {
    const key = keyOf(repo);
    const known = this.#answers.get(key);
    if (known) return (await known) === 'unsupported' ? { supported: false } : list();
    const listing = list();
    const answer = listing.then(
      (l): Answer => (l.supported ? 'supported' : 'unsupported'),
      (): Answer => 'unknown',
    );
    this.#answers.set(key, answer);
    void answer.then((a) => {
      if (a === 'unknown' && this.#answers.get(key) === answer) this.#answers.delete(key);
    });
    return listing;
  }

  /** Whether `repo` answered, in this run, that it has no referrers API. */
  async unsupported(repo: ContentRepository): Promise<boolean> {
    return (await this.#answers.get(keyOf(repo))) === 'unsupported';
  }
}
