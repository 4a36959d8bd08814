export type { CopyTask } from './copy-task.js';
export { CopyEngine, type CopyEngineOptions, type CopyRunOptions, type PlanOptions, type PlanResult } from './engine.js';
export type { PlanAction } from './check-image.js';
export type { CopyResult } from './image-copier.js';
export type { GroupMember } from './grouped-copy.js';
export type { CopyEvent, CopyEventListener, CopyEventType, ReferrerCounts } from './events.js';
export { Limiter } from './limiter.js';
export { TagListings } from './tag-listings.js';
export { DigestVerifier } from './digest-verifier.js';
