import { runApiLoad, type ApiLoadFigures, type LatencyFigures } from '../test/chaos/api-load.js';
import { formatTable } from './table.js';

/**
 * The API under load (issue: 200 distribute jobs posted at once and 2,000 API requests during a
 * running sync): latency percentiles of both and the peak RSS of the `sync` process. The test suite
 * runs the same load and asserts only that nothing failed.
 */
export async function apiLoadSection(jobs: number, requests: number, log: (line: string) => void): Promise<ApiLoadFigures> {
  log(`API under load: ${jobs} jobs at once, then ${requests} requests during a running sync`);
  const figures = await runApiLoad({ jobs, requests, concurrency: 32, log: (line) => log(`  ${line}`) });
  if (figures.jobsPosted.errors + figures.requests.errors > 0 || figures.jobsFailed > 0)
    throw new Error(`API under load: errors: ${figures.errorSamples.join('; ')}`);
  return figures;
}

const row = (name: string, f: LatencyFigures): string[] => [
  name,
  String(f.count),
  String(f.errors),
  f.p50Ms.toFixed(1),
  f.p99Ms.toFixed(1),
  f.maxMs.toFixed(1),
];

export function formatApiLoad(f: ApiLoadFigures): string {
  const rows = [
    row('POST /api/distribute/image (all at once)', f.jobsPosted),
    row('API requests, all (32 in flight)', f.requests),
    ...Object.entries(f.byPath).map(([path, figures]) => row(`  GET ${path}`, figures)),
  ];
  const table = formatTable(['API under load', 'requests', 'errors', 'p50 ms', 'p99 ms', 'max ms'], rows);
  const run = f.runWasGoing ? 'a sync run streaming a 110 MiB layer the whole time' : 'the sync run ended before the requests did';
  return `${table}\njobs: ${f.jobsFinished} finished, ${f.jobsFailed} failed; ${run}; peak RSS of sync: ${(f.peakRssKiB / 1024).toFixed(0)} MiB`;
}
