/**
 * Blob work shared with other processes copying into the same registries (queue workers): where
 * they put a blob, and who is uploading one now. Optional: without it, a process knows only its own
 * work (blob-locations.ts). Every method may fail (the store is down): the copier then goes on as
 * if it knew nothing, uploading the bytes itself.
 */
export interface SharedBlobs {
  /** Repositories of `place` another process recently put `digest` into: mount candidates. */
  sightings(place: string, digest: string): Promise<string[]>;
  /** This process has put `digest` into `repository` of `place` (uploaded, mounted or found it). */
  sighted(place: string, digest: string, repository: string): Promise<void>;
  /**
   * Resolves once this process may upload `digest` to `place` (`waited`: another process held the
   * upload first, so where it landed is worth a mount); `release` frees it for the others. A holder
   * that dies stops holding after a while; the wait rejects when `signal` aborts.
   */
  claimUpload(place: string, digest: string, signal: AbortSignal | undefined): Promise<{ waited: boolean; release: () => void }>;
}
