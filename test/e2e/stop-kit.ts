/** Helpers shared by the stop/cancel end-to-end tests (cancel-copy, load-stop, load-listeners). */

/** Resolves once `check` holds; a deadline, not a sleep: it fails loudly instead of waiting on. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The largest blob of an image: the one a stall holds mid-stream. */
export function largestBlob(image: { blobs: { digest: string; size: number }[] }): { digest: string; size: number } {
  const [first, ...rest] = image.blobs;
  if (!first) throw new Error('image without blobs');
  return rest.reduce((a, b) => (b.size > a.size ? b : a), first);
}
