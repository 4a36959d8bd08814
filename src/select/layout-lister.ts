import { layoutTags } from '../layout/index.js';
import { isLayoutPlace } from '../reference/index.js';
import type { Lister } from './lister.js';
import { RepositoryNotFoundError } from './listing-errors.js';

/**
 * A lister that reads an OCI layout's index.json for a source that is a layout (`oci:DIR`,
 * `oci-archive:FILE.tar`) and asks `registries` for any other: the layout's repositories are the
 * repository parts of its image names, their tags the rest. Names that are a bare tag (`v1`) have
 * no repository to mirror under: a rule does not list them (name them under `images:`). index.json
 * is read once per lister (one run's listing), however many repositories it holds.
 */
export function layoutAwareLister(registries: Lister): Lister {
  const read = new Map<string, Promise<Map<string, string[]>>>();
  const layoutTagsOnce = (place: string): Promise<Map<string, string[]>> => {
    const known = read.get(place);
    if (known) return known;
    const tags = layoutTags(place);
    read.set(place, tags);
    return tags;
  };
  return {
    async repositories(place, options = {}) {
      if (!isLayoutPlace(place)) return registries.repositories(place, options);
      const names = [...(await layoutTagsOnce(place)).keys()].filter((name) => name !== '');
      options.onPage?.(names);
      return names;
    },
    async tags(place, repository, options = {}) {
      if (!isLayoutPlace(place)) return registries.tags(place, repository, options);
      const tags = (await layoutTagsOnce(place)).get(repository);
      if (!tags) throw new RepositoryNotFoundError(place, repository, `no image of ${place} is named ${repository}:TAG`);
      options.onPage?.(tags);
      return tags;
    },
  };
}
