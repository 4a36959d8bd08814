/**
 * Runs the tasks given one key one after another, in the order they came; other keys run at once.
 * A fallback index is read, changed and written back: two copies of one process adding a
 * referrer to the same subject at once would each write back an index without the other's entry.
 */
export class KeyedLock {
  #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    // The last one out removes the key, so the map does not grow with every subject ever seen.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task queued or running (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
