import type { CopyTask } from '../copy/index.js';
import type { RegistryConfig } from '../config/index.js';
import { isLayoutPlace, parseReference } from '../reference/index.js';
import type { PlannedImage } from '../select/index.js';
import { resolvedSourceEndpoint, resolvedTargetEndpoint } from './registry-endpoints.js';
import { taskKey } from './retry-passes.js';
import type { RunCredentials } from './run-credentials.js';

/** The copy tasks of a registry's planned images, keyed as the retry passes find them: the image's settings over the registry's. */
export function registryTasks(images: readonly PlannedImage[], registry: RegistryConfig, since: string | undefined): Map<string, CopyTask> {
  const tasks = new Map<string, CopyTask>();
  for (const image of images) {
    tasks.set(taskKey(image), {
      source: image.source,
      target: image.target,
      ...(image.platforms ? { platforms: image.platforms } : {}),
      ...(image.platforms && image.missingPlatforms ? { missingPlatforms: image.missingPlatforms } : {}),
      ...(image.force ? { force: true } : {}),
      ...(since !== undefined && isLayoutPlace(registry.hostname) ? { since } : {}),
      referrers: image.referrers ?? registry.referrers !== false,
      cosignTags: image.cosignTags ?? registry.cosignTags !== false,
      ...((image.artifactTypes ?? registry.artifactTypes) ? { artifactTypes: image.artifactTypes ?? registry.artifactTypes } : {}),
    });
  }
  return tasks;
}

/**
 * Endpoints are built when an image's turn comes: a credential helper is asked only then, and
 * one that fails fails the images that need it, not the run.
 */
export function withEndpoints(registry: RegistryConfig, resolve: RunCredentials['resolve']): (task: CopyTask) => Promise<CopyTask> {
  return async (task) => {
    const source = parseReference(task.source);
    const target = parseReference(task.target);
    const [sourceEndpoint, targetEndpoint] = await Promise.all([
      resolvedSourceEndpoint(registry, source.registry, source.repository, resolve),
      resolvedTargetEndpoint(registry, target.repository, resolve),
    ]);
    return { ...task, sourceEndpoint, targetEndpoint };
  };
}
