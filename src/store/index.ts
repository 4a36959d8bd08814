// The store's interface and its records, all of them.
export * from './run-store.js';
export { SqliteRunStore } from './sqlite-run-store.js';
export { StoreError } from './store-error.js';
export type { OwnedReferrer, OwnedTag, OwnershipLedger, PrunedTag, SkippedPrune } from './ownership.js';
