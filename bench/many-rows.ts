import { request } from 'undici';
import { startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../test/harness/index.js';
import type { MachineInfo } from './machine.js';
import { formatManyResults, manyTargets } from './many-report.js';
import { writeResultsFile } from './results-file.js';
import type { ManyResults, ManyTagsVariant } from './many-report.js';
import {
  listingPhase,
  runPictureBookAllTags,
  runPictureBookLoadJson,
  runSkopeoSyncRepository,
  writeRuleConfig,
  type ListingPhase,
} from './many-runs.js';
import { fleetRepositories, MANY_TAGS_REPOSITORY, seedManyRepositories, seedManyTags } from './many-source.js';
import type { BenchOptions } from './options.js';
import { countRequests, type CountedRun } from './request-count.js';
import { interleave, Series } from './series.js';
import { SkopeoHome } from './skopeo-run.js';
import type { Measured } from './timed-process.js';

/**
 * The "scale and speed" rows: one repository of many tags (picture-book against `skopeo sync --src
 * docker` of the same repository) and a registry of many repositories mirrored by a registry rule.
 * Each mirrors once into an empty target path, then runs again with nothing to do (the figure that
 * matters for a mirror job on a schedule), then once more through counting proxies.
 */
export interface ManyInput {
  options: BenchOptions;
  machine: MachineInfo;
  work: string;
  timeoutMs: number;
  log: (line: string) => void;
}

/** A measured command, given the hosts it talks to (the registries, or counting proxies in front of them). */
type Command = (sourceHost: string, targetHost: string) => Promise<() => Promise<Measured>>;

interface Tool {
  how: string;
  command: Command;
  /** `load --log-format json`: read the listing phase from its events. */
  json: boolean;
  /** Where the tags land on the target. */
  targetPath: string;
}

async function tagCount(registry: TestRegistry, repository: string): Promise<number> {
  const response = await request(`${registry.url}/v2/${repository}/tags/list`);
  const body = (await response.body.json()) as { tags?: string[] | null };
  return body.tags?.length ?? 0;
}

/** Throws unless every repository holds `tags` tags: a run that skipped images must not count as a figure. */
async function assertTagCounts(registry: TestRegistry, repositories: readonly string[], tags: number, who: string): Promise<void> {
  for (const repository of repositories) {
    const have = await tagCount(registry, repository);
    if (have !== tags) throw new Error(`${who}: ${registry.host}/${repository} holds ${have} tags, expected ${tags}`);
  }
}

/** Runs `go` once through counting proxies in front of both registries. */
async function counted(source: TestRegistry, target: TestRegistry, command: Command): Promise<CountedRun> {
  const proxies: FaultProxy[] = await Promise.all([startFaultProxy(source), startFaultProxy(target)]);
  const [src, dst] = proxies as [FaultProxy, FaultProxy];
  try {
    const go = await command(src.host, dst.host);
    const measured = await go();
    return { wallMs: Math.round(measured.wallMs), source: countRequests(src.requests), target: countRequests(dst.requests) };
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
  }
}

function manyTagsTools(input: ManyInput, skopeoHome: SkopeoHome): Tool[] {
  const { work, timeoutMs } = input;
  const repository = MANY_TAGS_REPOSITORY;
  const rule: Tool = {
    how: 'mirrors: repository rule',
    json: true,
    targetPath: `pb-rule/${repository}`,
    command: async (sourceHost, targetHost) => {
      const config = await writeRuleConfig(work, `many-tags-rule-${targetHost.replace(/\W/g, '-')}`, {
        targetHost,
        repository: 'pb-rule',
        source: `${sourceHost}/${repository}`,
      });
      return () => runPictureBookLoadJson(config, timeoutMs);
    },
  };
  // Into the rule's target: its no-change runs are the same check, its first mirror is the rule's.
  const allTagsPath = rule.targetPath;
  const allTags: Tool = {
    how: 'copy --all-tags',
    json: false,
    targetPath: allTagsPath,
    command: async (sourceHost, targetHost) => () =>
      runPictureBookAllTags(`${sourceHost}/${repository}`, `${targetHost}/${allTagsPath}`, timeoutMs),
  };
  const skopeo: Tool = {
    how: 'skopeo sync --src docker',
    json: false,
    targetPath: `skopeo/${repository.split('/').pop() ?? repository}`,
    command: async (sourceHost, targetHost) => () =>
      runSkopeoSyncRepository(skopeoHome, `${sourceHost}/${repository}`, `${targetHost}/skopeo`, timeoutMs),
  };
  return [rule, allTags, skopeo];
}

/** First mirror, `rounds` interleaved no-change runs, one counted no-change run: per tool. */
async function measureTools(
  input: ManyInput,
  source: TestRegistry,
  target: TestRegistry,
  tools: readonly Tool[],
  expect: (tool: Tool) => Promise<void>,
) {
  const { log } = input;
  const figures = tools.map((tool) => ({
    tool,
    first: new Series(`${tool.how} first`),
    noChange: new Series(`${tool.how} no-change`),
    listing: [] as ListingPhase[],
  }));
  const run = async (figure: (typeof figures)[number], series: Series): Promise<void> => {
    const go = await figure.tool.command(source.host, target.host);
    const measured = await go();
    series.add(measured);
    if (figure.tool.json) figure.listing.push(listingPhase(measured.stdoutTail));
    log(`  ${figure.tool.how}: ${series === figure.first ? 'first mirror' : 'no change'} ${(measured.wallMs / 1000).toFixed(2)} s`);
  };
  // Tools that write the same target path share its first mirror: the later ones start at "no change".
  const filled = new Set<string>();
  for (const figure of figures) {
    if (filled.has(figure.tool.targetPath)) continue;
    await run(figure, figure.first);
    await expect(figure.tool);
    filled.add(figure.tool.targetPath);
  }
  await interleave(
    input.options.rounds,
    figures.map((figure) => ({ name: figure.tool.how, run: () => run(figure, figure.noChange) })),
    log,
  );
  log('  counting the requests of one more no-change run per tool');
  const result = [];
  for (const figure of figures) result.push({ ...figure, counted: await counted(source, target, figure.tool.command) });
  return result;
}

async function manyTagsRows(input: ManyInput, source: TestRegistry, target: TestRegistry): Promise<NonNullable<ManyResults['manyTags']>> {
  const tags = input.options.manyTags;
  input.log(`many tags: seeding ${tags} tags into ${source.host}/${MANY_TAGS_REPOSITORY} (kept in the fixture cache after the first time)`);
  await seedManyTags(source, tags);
  const skopeoHome = await SkopeoHome.create(input.work, 'skopeo-many-tags');
  const tools = manyTagsTools(input, skopeoHome);
  const figures = await measureTools(input, source, target, tools, (tool) => assertTagCounts(target, [tool.targetPath], tags, tool.how));
  const skopeo = figures.find((f) => f.tool.how.startsWith('skopeo'));
  if (!skopeo) throw new Error('no skopeo figures');
  const pictureBook: ManyTagsVariant[] = figures
    .filter((f) => f !== skopeo)
    .map((f) => ({
      how: f.tool.how,
      first: f.first,
      noChange: f.noChange,
      counted: f.counted,
      ...(f.tool.json ? { listing: f.listing } : {}),
    }));
  return {
    tags,
    repository: MANY_TAGS_REPOSITORY,
    pictureBook,
    skopeo: { first: skopeo.first, noChange: skopeo.noChange, counted: skopeo.counted },
  };
}

async function manyReposRows(input: ManyInput, source: TestRegistry, target: TestRegistry): Promise<NonNullable<ManyResults['manyRepos']>> {
  const { manyRepos: repositories, manyReposTags: tagsEach } = input.options;
  input.log(`many repositories: seeding ${repositories} repositories x ${tagsEach} tags into ${source.host}`);
  await seedManyRepositories(source, repositories, tagsEach);
  const tool: Tool = {
    how: 'mirrors: registry rule',
    json: true,
    targetPath: 'pb-fleet',
    command: async (sourceHost, targetHost) => {
      const config = await writeRuleConfig(input.work, `many-repos-rule-${targetHost.replace(/\W/g, '-')}`, {
        targetHost,
        repository: 'pb-fleet',
        source: sourceHost,
      });
      return () => runPictureBookLoadJson(config, input.timeoutMs);
    },
  };
  const expected = fleetRepositories(repositories).map((name) => `pb-fleet/${name}`);
  const [figure] = await measureTools(input, source, target, [tool], () => assertTagCounts(target, expected, tagsEach, tool.how));
  if (!figure) throw new Error('no figures');
  return { repositories, tagsEach, first: figure.first, noChange: figure.noChange, counted: figure.counted, listing: figure.listing };
}

export async function runManyRows(input: ManyInput): Promise<ManyResults> {
  const { options, log } = input;
  const results: ManyResults = { date: new Date().toISOString(), machine: input.machine, options: { ...options } };
  const [tagsSource, fleetSource, target] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  log(`many-tags source ${tagsSource.host}, many-repositories source ${fleetSource.host}, target ${target.host}`);
  try {
    if (options.manyTags > 0) results.manyTags = await manyTagsRows(input, tagsSource, target);
    if (options.manyRepos > 0) {
      results.manyRepos = await manyReposRows(input, fleetSource, target);
    }
  } finally {
    await Promise.all([tagsSource.stop(), fleetSource.stop(), target.stop()]);
  }
  return results;
}

/** Runs the rows, prints their table and writes their figures (`--many-out`). */
export async function manySection(input: ManyInput): Promise<void> {
  const many = await runManyRows(input);
  const text = formatManyResults(many);
  process.stdout.write(`\n${text}\n`);
  input.log(`figures written to ${await writeResultsFile(input.options.manyOut, many, manyTargets(many), text)}`);
}
