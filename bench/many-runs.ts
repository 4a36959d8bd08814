import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PICTURE_BOOK_CLI } from './picture-book-run.js';
import type { SkopeoHome } from './skopeo-run.js';
import { minimalEnv, runTimed, type Measured } from './timed-process.js';

/** The measured commands of the many-tags and many-repositories rows. */

function benchEnv(): NodeJS.ProcessEnv {
  return { ...minimalEnv(tmpdir()), DOCKER_CONFIG: '/nonexistent' };
}

/**
 * A config.yaml with one target registry and one `mirrors:` rule: `source` is a repository
 * (`host/many/app`: every tag) or a bare registry (`host`: every repository of its catalog, then
 * every tag). Images land under `<targetHost>/<repository>/<source path>`.
 */
export async function writeRuleConfig(
  dir: string,
  name: string,
  rule: { targetHost: string; repository: string; source: string },
): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const config = { registries: [{ hostname: rule.targetHost, repository: rule.repository, mirrors: [{ source: rule.source }] }] };
  await writeFile(file, stringify(config));
  return file;
}

/**
 * `picture-book load --config FILE --all --log-format json`: one JSON event a line, kept whole, so the
 * listing phase can be read from the events' times (listingPhase()).
 */
export function runPictureBookLoadJson(config: string, timeoutMs: number): Promise<Measured> {
  return runTimed(process.execPath, [PICTURE_BOOK_CLI, 'load', '--config', config, '--all', '--log-format', 'json'], {
    timeoutMs,
    env: benchEnv(),
    keepStdout: true,
  });
}

/** `picture-book copy --all-tags SRC-REPO DST-REPO`. */
export function runPictureBookAllTags(sourceRepository: string, targetRepository: string, timeoutMs: number): Promise<Measured> {
  return runTimed(process.execPath, [PICTURE_BOOK_CLI, 'copy', '--all-tags', sourceRepository, targetRepository], {
    timeoutMs,
    env: benchEnv(),
  });
}

/**
 * `skopeo sync --all --src docker --dest docker SRC-REPO TARGET-PREFIX`: every tag of the repository
 * (skopeo lists them itself), landing at `TARGET-PREFIX/<last path element>:<tag>`.
 */
export function runSkopeoSyncRepository(
  home: SkopeoHome,
  sourceRepository: string,
  targetPrefix: string,
  timeoutMs: number,
): Promise<Measured> {
  const { cmd, args, env } = home.command([
    '--policy',
    home.policy,
    'sync',
    '--all',
    '--src',
    'docker',
    '--dest',
    'docker',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    sourceRepository,
    targetPrefix,
  ]);
  return runTimed(cmd, args, { env, timeoutMs });
}

/** What the JSON events of one load say about its listing phase. */
export interface ListingPhase {
  /** From the registry's start to its `registry-listed` event (every rule listed and merged), ms. */
  ms: number;
  /** Images selected. */
  images: number;
  /** Listing progress events (`repositories-found`, `tags-found`, `repository-selected`): what the live display draws from. */
  progressEvents: number;
  /** The highest `found` of the catalog's `repositories-found` events (0 for a repository rule). */
  repositories: number;
  /** Tags listed over every repository (`repository-selected` events' `listed`). */
  tags: number;
}

/** Reads the listing phase from `load --log-format json` output; throws when the events are not there. */
export function listingPhase(stdout: string): ListingPhase {
  let started: number | undefined;
  let listed: { time: number; images: number } | undefined;
  let progressEvents = 0;
  let repositories = 0;
  let tags = 0;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { type: string; time: string; images?: number; found?: number; listed?: number };
    const time = Date.parse(event.time);
    if (event.type === 'registry-started') started ??= time;
    else if (event.type === 'registry-listed') listed ??= { time, images: event.images ?? 0 };
    else if (event.type === 'repositories-found' || event.type === 'tags-found' || event.type === 'repository-selected') {
      progressEvents++;
      if (event.type === 'repositories-found') repositories = Math.max(repositories, event.found ?? 0);
      if (event.type === 'repository-selected') tags += event.listed ?? 0;
    }
  }
  if (started === undefined || listed === undefined)
    throw new Error('load --log-format json printed no registry-started or registry-listed event');
  return { ms: listed.time - started, images: listed.images, progressEvents, repositories, tags };
}
