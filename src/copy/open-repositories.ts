import type { Reference } from '../reference/index.js';
import type { ContentRepository } from '../registry/index.js';
import type { CopyTask } from './copy-task.js';
import type { CopyEventListener } from './events.js';

/**
 * The engine opening a copy's source and target (for push or pull, as the caller's part says); their
 * requests report retries to `emit`. Shared by the single, grouped and planned copies.
 */
export type OpenRepositories = (
  source: Reference,
  target: Reference,
  task: CopyTask,
  emit: CopyEventListener,
  signal?: AbortSignal,
) => Promise<{ sourceRepo: ContentRepository; targetRepo: ContentRepository }>;
