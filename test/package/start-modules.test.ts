import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { makeTempDir, trackChild } from '../harness/procs.js';

/**
 * `picture-book --version`, `--help` and the start of every command load the command definitions
 * only: each command's action imports its own code (config, zod, yaml, transport, undici, ...).
 * One static import of a heavy module from program.ts or a *-command.ts file puts it, and the chunk
 * esbuild groups it in, into every start: about 14 MB more peak memory for `--version` alone, and a
 * part of every load's peak (see the benchmark's peak-RSS rows). Checked on the bundle `npm run
 * build` writes (dist/bin), the way the package runs.
 */
const ENTRY = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

/** The files the entry imports statically, itself included: what every start loads before parsing argv. */
async function staticClosure(entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(file, 'utf8');
    // esbuild writes `import {...} from "./chunks/x.js"` and `import "./chunks/x.js"`; `import("...")` is lazy.
    for (const match of code.matchAll(/^(?:import\s+(?:[^'"()]*?\s+from\s+)?|\}\s*from\s+)["'](\.{1,2}\/[^"']+)["'];?$/gm)) {
      queue.push(normalize(join(dirname(file), match[1] ?? '')));
    }
  }
  return [...seen];
}

/** The sources esbuild bundled into these files, from their source maps, as paths from the package root. */
async function bundledSources(files: string[]): Promise<string[]> {
  const sources: string[] = [];
  for (const file of files) {
    const map = JSON.parse(await readFile(`${file}.map`, 'utf8')) as { sources: string[] };
    for (const source of map.sources) sources.push(normalize(join(dirname(file), source)).replace(/^.*?\/(src|node_modules)\//, '$1/'));
  }
  return sources;
}

/** What only a command's action may load: the packages and layers below the command line. */
const HEAVY = [
  /^node_modules\/(zod|yaml|semver|undici|tar|croner)\//,
  /^src\/(config|transport\/transport|transport\/http-send|registry|copy|load|select|layout|auth|store|server|scheduler)\b/,
];

test('the CLI entry statically imports the command definitions only, none of the heavy modules the actions use', async () => {
  const closure = await staticClosure(ENTRY);
  const sources = await bundledSources(closure);
  // The walk works: it reached the program and commander, which the entry does import.
  assert.ok(sources.includes('src/cli/program.ts'), `program.ts not among ${sources.join(', ')}`);
  assert.ok(
    sources.some((source) => source.startsWith('node_modules/commander/')),
    `commander not among ${sources.join(', ')}`,
  );
  const heavy = sources.filter((source) => HEAVY.some((pattern) => pattern.test(source)));
  assert.deepEqual(heavy, [], `every start loads modules only a command's action needs (chunks: ${closure.join(', ')})`);
});

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr });
    });
    trackChild(child);
  });
}

test('--version and --help load no undici', async () => {
  const work = await makeTempDir('start-modules');
  const listing = join(work, 'modules.json');
  const preload = join(work, 'list-modules.cjs');
  // Preloaded into the CLI's process: lists the CommonJS modules it required (undici is one), when it exits.
  await writeFile(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listing)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  for (const flag of ['--version', '--help']) {
    const result = await runNode([ENTRY, flag], { NODE_OPTIONS: `--require ${preload}` });
    assert.equal(result.code, 0, result.stderr);
    const modules = JSON.parse(await readFile(listing, 'utf8')) as string[];
    // The listing works: it holds the preload itself.
    assert.ok(modules.includes(preload), `${flag}: the listing lacks its own preload`);
    assert.deepEqual(
      modules.filter((path) => path.includes('/node_modules/')),
      [],
      `${flag} required packages`,
    );
  }
});
