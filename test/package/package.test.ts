import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import { makeTempDir, trackChild } from '../harness/procs.js';

/**
 * The published package ships what runs and nothing else: the bundled CLI (dist/bin), no test file,
 * no test kit, no fixture, no harness, no source map of any of them. Checked on what `npm pack`
 * would publish, after `npm run build` (npm test builds first).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr });
    });
    trackChild(child);
  });
}

/** What a test-only file looks like, wherever it sits. */
const TEST_ONLY = [
  /\.test\./,
  /(^|\/|-)test-kit\b/,
  /(^|\/)fixtures?(\.|\/)/,
  /(^|\/)harness\//,
  /(^|\/)test\//,
  /self-test/,
  /(^|\/)e2e\//,
];
const testOnly = (path: string): boolean => TEST_ONLY.some((pattern) => pattern.test(path));

/**
 * Module specifiers of esbuild's output: `import ... from "x"`, `export ... from "x"`, `import("x")`,
 * `require("x")` (its banner gives bundled CommonJS a require). Specifiers are double-quoted there;
 * the character class keeps a match from running across strings in the bundled code.
 */
function specifiers(code: string): string[] {
  const found: string[] = [];
  for (const pattern of [
    /\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?"([^"\n]+)"/g,
    /\bimport\(\s*"([^"\n]+)"\s*\)/g,
    /\brequire\(\s*"([^"\n]+)"\s*\)/g,
  ]) {
    for (const match of code.matchAll(pattern)) if (match[1]) found.push(match[1]);
  }
  return found;
}

let files: string[];
let dependencies: Set<string>;

before(async () => {
  const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
  assert.equal(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>;
  files = (info?.files ?? []).map((f) => f.path);
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  dependencies = new Set(Object.keys(manifest.dependencies ?? {}));
});

test('npm pack lists no test file, test kit, fixture or harness, and no map of one', async () => {
  assert.ok(files.includes('dist/bin/picture-book.js'), `the CLI is packed: ${files.join(', ')}`);
  assert.deepEqual(files.filter(testOnly), []);
  assert.deepEqual(
    files.filter((f) => !f.startsWith('dist/bin/') && !/^(package\.json|README\.md|LICENSE[^/]*)$/i.test(f)),
    [],
    'only the bundled CLI and the package documents',
  );
  for (const map of files.filter((f) => f.endsWith('.map'))) {
    const { sources } = JSON.parse(await readFile(join(ROOT, map), 'utf8')) as { sources: string[] };
    assert.deepEqual(sources.filter(testOnly), [], `${map} maps test-only sources`);
  }
});

test('every module the packed CLI imports is packed too, or a Node built-in, or a declared dependency', async () => {
  const scripts = files.filter((f) => f.endsWith('.js'));
  const missing: string[] = [];
  for (const file of scripts) {
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const specifier of specifiers(text)) {
      if (/^\.\.?\//.test(specifier)) {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        if (!files.includes(target)) missing.push(`${file} imports ${specifier}: not packed`);
        continue;
      }
      const bare = specifier.replace(/^node:/, '');
      if (specifier.startsWith('node:') || builtinModules.includes(bare) || builtinModules.includes(bare.split('/')[0] ?? '')) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier);
      if (!dependencies.has(name)) missing.push(`${file} imports ${specifier}: ${name} is not in dependencies`);
    }
  }
  assert.ok(scripts.length > 1, 'the CLI and its chunks');
  assert.deepEqual(missing, []);
});

test('the packed CLI starts from the tarball: --help, and every command loads its code', async () => {
  const dir = await makeTempDir('packed');
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = packed.stdout.trim().split('\n').at(-1) ?? '';
  const untar = await run('tar', ['-xzf', join(dir, tarball), '-C', dir], dir);
  assert.equal(untar.code, 0, untar.stderr);
  const pkg = join(dir, 'package');
  // As if installed: the dependencies beside it (this checkout's, already installed).
  await symlink(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  const bin = join(pkg, 'dist', 'bin', 'picture-book.js');
  const cli = (...args: string[]) => run(process.execPath, [bin, ...args], dirname(bin));

  const help = await cli('--help');
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: picture-book /);
  for (const command of ['copy', 'load', 'sync', 'worker', 'config']) assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  // Each command's code is a chunk loaded when it runs: a bad argument gets as far as the command's own check.
  const missingConfig = join(dir, 'no-such-config.yaml');
  const cases: Array<[string[], RegExp]> = [
    [['copy', 'Not/A:Valid:Ref', '127.0.0.1:9/x:v1'], /invalid reference "Not\/A:Valid:Ref"/],
    [['load', '--config', missingConfig, '--all'], /config file not found/],
    [['sync', '--config', missingConfig], /config file not found/],
    [['worker', '--config', missingConfig], /config file not found/],
    [['config', 'check', '--config', missingConfig], /config file not found/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
  }
});
