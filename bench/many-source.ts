import type { TestRegistry } from '../test/harness/index.js';
import { restoreSeededStorage } from './seeded-storage.js';
import { TagSeeder } from './tag-seed.js';

/** The one repository of the many-tags rows. */
export const MANY_TAGS_REPOSITORY = 'many/app';

/** The repositories of the many-repositories rows: `fleet/app-000`, `fleet/app-001`, ... */
export function fleetRepositories(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `fleet/app-${String(i).padStart(3, '0')}`);
}

// Bump when what the seeder writes changes: the cached storage is keyed by it (with the names and counts).
const SEED_VERSION = 'v2';

/**
 * `registry` holds `many/app` with `tags` tags (distinct images sharing their layers), and nothing
 * else. Seeded over HTTP once per machine, then restored from the cached storage.
 */
export async function seedManyTags(registry: TestRegistry, tags: number): Promise<void> {
  await restoreSeededStorage(registry, `many-tags-${SEED_VERSION}-${MANY_TAGS_REPOSITORY.replace('/', '-')}-${tags}`, async (scratch) => {
    const seeder = new TagSeeder(scratch.url);
    try {
      await seeder.seedRepository(MANY_TAGS_REPOSITORY, tags);
    } finally {
      await seeder.close();
    }
  });
}

/** `registry` holds `repositories` repositories of `tagsEach` tags each, and nothing else (its whole catalog). */
export async function seedManyRepositories(registry: TestRegistry, repositories: number, tagsEach: number): Promise<void> {
  await restoreSeededStorage(registry, `many-repos-${SEED_VERSION}-fleet-${repositories}x${tagsEach}`, async (scratch) => {
    const seeder = new TagSeeder(scratch.url);
    try {
      await seeder.seedRepositories(fleetRepositories(repositories), tagsEach, 8);
    } finally {
      await seeder.close();
    }
  });
}
