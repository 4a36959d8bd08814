import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { pushImage, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { runCli, tempDir } from './load-harness.js';

// A load that prunes nothing never opens the run history: the SQLite addon and its modules
// (a few MB of every load's peak memory, see the benchmark's peak-RSS rows) stay unloaded.
let source: TestRegistry;
let target: TestRegistry;
let work: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  work = await tempDir('pb-load-modules-');
  await pushImage(
    { kind: 'image', format: 'oci', layers: [{ seed: 'load-modules', size: 4096 }], platform: { os: 'linux', architecture: 'amd64' } },
    source,
    'app:v1',
  );
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('a load without prune: rules copies its images without loading better-sqlite3', async () => {
  const config = join(work, 'config.yaml');
  await writeFile(config, stringify({ registries: [{ hostname: target.host, repository: 'mirror', images: [`${source.host}/app:v1`] }] }));
  // Preloaded into the CLI's process: lists the packages it required, when it exits.
  const listing = join(work, 'modules.json');
  const preload = join(work, 'list-modules.cjs');
  await writeFile(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listing)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  const result = await runCli(['load', '--config', config, '--all'], { NODE_OPTIONS: `--require ${preload}` });
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const modules = JSON.parse(await readFile(listing, 'utf8')) as string[];
  // The listing works: undici is required by every load.
  assert.ok(
    modules.some((path) => path.includes('/node_modules/undici/')),
    'the preload saw no undici module',
  );
  const sqlite = modules.filter((path) => path.includes('/node_modules/better-sqlite3/'));
  assert.deepEqual(sqlite, [], 'a load that prunes nothing loaded better-sqlite3');
});
