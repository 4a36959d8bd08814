/**
 * Waits for `work` at most `graceMs`, and no longer once `hurry` aborts (a second stop signal):
 * true when the work finished in time. Whoever stops then aborts what is still going.
 */
export async function withinGrace(work: Promise<unknown>, graceMs: number, hurry?: AbortSignal): Promise<boolean> {
  if (hurry?.aborted) return false;
  let timer: NodeJS.Timeout | undefined;
  let onHurry: (() => void) | undefined;
  const over = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
    onHurry = () => resolve(false);
    hurry?.addEventListener('abort', onHurry, { once: true });
  });
  try {
    return await Promise.race([work.then(() => true), over]);
  } finally {
    clearTimeout(timer);
    if (onHurry) hurry?.removeEventListener('abort', onHurry);
  }
}
