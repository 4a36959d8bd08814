import { emptyIndex, parseIndex, refNameOf, serialiseIndex, type IndexDocument, type IndexEntry } from './index-document.js';
import type { LayoutStorage } from './storage.js';

interface Waiting {
  entry: IndexEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * index.json of one layout, read and written by every copy of the process through here: writes are
 * serialised, and the entries that arrive while one write is under way go together in the next
 * (one rename for many images finishing at once). Each caller hears back once its entry is on the
 * disk. The file is read again when it changed under us (another run wrote it since).
 */
export class IndexWriter {
  #storage: LayoutStorage;
  #doc: IndexDocument | undefined;
  #stamp: string | undefined;
  #waiting: Waiting[] = [];
  #flushing = false;

  constructor(storage: LayoutStorage) {
    this.#storage = storage;
  }

  /** The index as it is on the disk now; undefined when the layout has none. */
  async current(): Promise<IndexDocument | undefined> {
    const stamp = await this.#storage.indexStamp();
    if (stamp === undefined) return undefined;
    if (this.#doc && stamp === this.#stamp) return this.#doc;
    const read = await this.#storage.readIndex();
    if (!read) return undefined;
    this.#doc = parseIndex(read.bytes, this.#storage.indexFile);
    this.#stamp = read.stamp;
    return this.#doc;
  }

  /** The index as known in memory, for storages whose index.json is written only at the end (archives). */
  get known(): IndexDocument | undefined {
    return this.#doc;
  }

  /** Lists `entry` (replacing an entry of the same name); resolves once index.json says so. */
  add(entry: IndexEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ entry, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0);
      try {
        const doc = withEntries(
          (await this.current()) ?? this.#doc ?? emptyIndex(),
          batch.map((w) => w.entry),
        );
        this.#stamp = await this.#storage.writeIndex(serialiseIndex(doc));
        this.#doc = doc;
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.#flushing = false;
  }
}

/**
 * The document with `entries` listed: an entry of the same name is replaced (a tag moves), an
 * unnamed one of the same digest is not listed twice. Others keep their order; new ones go last.
 */
export function withEntries(doc: IndexDocument, entries: readonly IndexEntry[]): IndexDocument {
  const latest = new Map<string, IndexEntry>();
  for (const entry of entries) latest.set(refNameOf(entry) ?? `@${entry.digest}`, entry);
  const kept = doc.manifests.filter((m) => !latest.has(refNameOf(m) ?? `@${m.digest}`));
  return { ...doc, manifests: [...kept, ...latest.values()] };
}
