import type { CopyResult, CopyTask, GroupMember } from '../copy/index.js';

type CopyGroup = (members: readonly GroupMember[]) => Promise<Array<PromiseSettledResult<CopyResult>>>;

interface Waiting {
  member: GroupMember;
  resolve: (result: CopyResult) => void;
  reject: (error: unknown) => void;
}

/** Tasks that may share one source read: same source, same platforms, same force. */
export const groupKey = (task: CopyTask): string =>
  JSON.stringify([task.source, task.platforms ?? [], task.missingPlatforms ?? '', task.force === true]);

/**
 * Gathers the copies of one run that read the same source image (image-syncer's list of
 * destinations, which lands in several registry entries, one per target host), so the engine reads
 * it once for all of them (CopyEngine.copyGroup). As image-syncer does, every registry's tasks are
 * known before any of them is copied: each registry entry says `listed` once, with its tasks (none
 * when its listing failed); a task that will not come to its copy after all (cancelled, its
 * credentials failed) is `withdraw`n, so its group never waits for it.
 */
export class SourceGroups {
  #unlisted: number;
  #expected = new Map<string, number>();
  #arrived = new Map<string, Waiting[]>();
  #copyGroup: CopyGroup;

  constructor(registries: number, copyGroup: CopyGroup) {
    this.#unlisted = registries;
    this.#copyGroup = copyGroup;
  }

  /** One registry entry's tasks are known. */
  listed(tasks: Iterable<CopyTask>): void {
    for (const task of tasks) this.#expected.set(groupKey(task), (this.#expected.get(groupKey(task)) ?? 0) + 1);
    this.#unlisted--;
    for (const key of [...this.#arrived.keys()]) this.#flush(key);
  }

  /** A listed task that will not be copied through here. */
  withdraw(task: CopyTask): void {
    const key = groupKey(task);
    this.#expected.set(key, (this.#expected.get(key) ?? 1) - 1);
    this.#flush(key);
  }

  /** Copies `member` with the others of its group once they have all come. */
  copy(member: GroupMember): Promise<CopyResult> {
    const key = groupKey(member.task);
    return new Promise<CopyResult>((resolve, reject) => {
      const waiting = this.#arrived.get(key) ?? [];
      waiting.push({ member, resolve, reject });
      this.#arrived.set(key, waiting);
      this.#flush(key);
    });
  }

  #flush(key: string): void {
    const waiting = this.#arrived.get(key);
    if (this.#unlisted > 0 || !waiting || waiting.length < (this.#expected.get(key) ?? 0)) return;
    this.#arrived.delete(key);
    this.#expected.delete(key);
    void this.#copyGroup(waiting.map((w) => w.member)).then(
      (settled) =>
        settled.forEach((result, i) => {
          const one = waiting[i] as Waiting;
          if (result.status === 'fulfilled') one.resolve(result.value);
          else one.reject(result.reason);
        }),
      (error: unknown) => {
        for (const one of waiting) one.reject(error);
      },
    );
  }
}
