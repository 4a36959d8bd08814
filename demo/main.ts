import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pushImage, skopeo, type PushTarget } from '../test/harness/index.js';
import { DEMO_IMAGES, DEMO_RULE_REPOSITORY } from './images.js';
import { ensureRegistry, hostOf, stopRegistry } from './registry-process.js';

/**
 * `npm run demo`: two local registries (they keep running afterwards so the result can be looked
 * at), a source seeded with generated images, a config whose syncer script lists most of them and
 * whose repository rule mirrors the tags of one more, and `picture-book load --all` with the live display. Run it again: everything is up to date.
 * `npm run demo -- stop` stops the registries.
 */
const ROOT = resolve('.demo');
const CLI = fileURLToPath(new URL('../bin/picture-book.js', import.meta.url));

/** The harness's pushImage: never two pushes into one repository at once, the served digest checked. */
async function seed(sourceHost: string): Promise<void> {
  const source: PushTarget = {
    host: sourceHost,
    password: undefined,
    skopeoFlags: (side) => [side === 'plain' ? '--tls-verify=false' : `--${side}-tls-verify=false`],
  };
  await Promise.all(
    DEMO_IMAGES.map(async ({ path, spec }) => {
      const present = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${sourceHost}/${path}`]).then(
        () => true,
        () => false,
      );
      if (!present) await pushImage(spec, source, path);
    }),
  );
}

async function writeConfig(sourceHost: string, targetHost: string): Promise<string> {
  const script = join(ROOT, 'list-images.sh');
  const listed = DEMO_IMAGES.filter(({ path }) => !path.startsWith(`${DEMO_RULE_REPOSITORY}:`));
  const lines = listed.map(({ path }) => `${sourceHost}/${path}`);
  await writeFile(script, `#!/bin/sh\n# The syncer script: prints one image reference per line.\ncat <<'EOF'\n${lines.join('\n')}\nEOF\n`);
  await chmod(script, 0o755);
  const config = join(ROOT, 'config.yaml');
  await writeFile(
    config,
    [
      '# Written by `npm run demo`. The seed config keys, pointing at two local registries, and one mirrors: rule.',
      'registries:',
      `  - hostname: '${targetHost}'`,
      "    repository: 'mirror'",
      "    pullAuthConfig: ''",
      "    pushAuthConfig: ''",
      "    syncPeriod: '*/5 * * * *'",
      "    syncerScript: './list-images.sh'",
      "    syncerScriptArgs: ''",
      '    mirrors:',
      `      - source: '${sourceHost}/${DEMO_RULE_REPOSITORY}'   # a repository rule: its tags, listed at every run`,
      "        tags: {exclude: ['.*-rc.*']}          # but no release candidate",
      'display: "spinner"',
      'api:',
      '  enabled: false',
      '  port: 8001',
      '',
    ].join('\n'),
  );
  return config;
}

function runLoad(config: string): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'load', '--config', config, '--all'], { stdio: 'inherit' });
    child.on('exit', (code) => done(code ?? 1));
  });
}

async function main(): Promise<number> {
  if (process.argv.includes('stop')) {
    for (const name of ['source', 'target'])
      process.stdout.write(`${name}: ${(await stopRegistry(ROOT, name)) ? 'stopped' : 'not running'}\n`);
    return 0;
  }
  await mkdir(ROOT, { recursive: true });
  const [source, target] = await Promise.all([ensureRegistry(ROOT, 'source', 5001), ensureRegistry(ROOT, 'target', 5002)]);
  const sourceHost = hostOf(source);
  const targetHost = hostOf(target);
  process.stdout.write(`demo: source registry ${sourceHost}, target registry ${targetHost} (storage under .demo/)\n`);
  await seed(sourceHost);
  const config = await writeConfig(sourceHost, targetHost);
  process.stdout.write(`demo: picture-book load --config ${config} --all\n\n`);
  const code = await runLoad(config);
  process.stdout.write(
    [
      '',
      'Look at the result:',
      `  curl -s http://${targetHost}/v2/_catalog`,
      `  skopeo inspect --tls-verify=false docker://${targetHost}/mirror/library/nginx-demo:1.27`,
      `  node dist/bin/picture-book.js load --config ${config} --all --dry-run -v`,
      'Run `npm run demo` again: every image is up to date. `npm run demo -- stop` stops the registries.',
      '',
    ].join('\n'),
  );
  return code;
}

process.exitCode = await main();
