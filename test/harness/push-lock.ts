import { performance } from 'node:perf_hooks';

/**
 * Pushes into one repository of one registry run one at a time, whoever asks (test files, the demo,
 * the benchmark, several at once). distribution 2.8's filesystem driver writes a repository's blob and
 * manifest links in place: a second push of the same blobs into that repository can read a link the
 * first is rewriting and get `500 ... failed to read from destination repository`. Pushes into other
 * repositories (even of the same blobs) do not share those links and still run in parallel.
 */

/** One push as the harness saw it: queued when asked for, started once it held its repository. */
export interface PushRecord {
  /** `host/repository:tag` (or `@digest`). */
  readonly target: string;
  readonly queuedAt: number;
  startedAt: number | undefined;
  endedAt: number | undefined;
}

const tails = new Map<string, Promise<void>>();
const journal: PushRecord[] = [];

/** Every push made through the harness in this process, in the order asked for. */
export function pushRecords(): readonly PushRecord[] {
  return journal;
}

/** `team/app:v1` -> `team/app`; `team/app@sha256:...` -> `team/app` (a port is only in the host). */
export function repositoryOf(repoAndRef: string): string {
  const at = repoAndRef.indexOf('@');
  const name = at >= 0 ? repoAndRef.slice(0, at) : repoAndRef;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/** Runs `push` once no other push into the same host and repository is under way. */
export function serialisedPush<T>(host: string, repoAndRef: string, push: () => Promise<T>): Promise<T> {
  const key = `${host}/${repositoryOf(repoAndRef)}`;
  const record: PushRecord = { target: `${host}/${repoAndRef}`, queuedAt: performance.now(), startedAt: undefined, endedAt: undefined };
  journal.push(record);
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(async () => {
    record.startedAt = performance.now();
    try {
      return await push();
    } finally {
      record.endedAt = performance.now();
    }
  });
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, settled);
  void settled.then(() => {
    if (tails.get(key) === settled) tails.delete(key);
  });
  return run;
}
