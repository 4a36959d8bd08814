export { CopyEngine, type CopyTask, type CopyEngineOptions, type CopyRunOptions, type PlanOptions } from './engine.js';
export type { PlanAction } from './check-image.js';
export type { CopyResult } from './image-copier.js';
export type { CopyEvent, CopyEventListener, CopyEventType } from './events.js';
export { Limiter } from './limiter.js';
export { DigestVerifier } from './digest-verifier.js';
