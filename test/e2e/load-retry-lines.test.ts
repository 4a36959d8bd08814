import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pushImage, skopeoInspectRaw, type BuiltImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { useProxiedPair } from './proxied-pair.js';

// Retry lines carry the [registry] prefix every other line of a load has, whichever side retried.
let built: BuiltImage;
const pair = useProxiedPair(async ({ source }) => {
  built = await pushImage(ociImage, source, 'retry/app:v1');
});
let dir: string;
before(async () => {
  dir = await tempDir('pb-retry-lines-');
});
after(() => rm(dir, { recursive: true, force: true }));

test('retries of the source and of the target are printed with the registry they belong to (plain and JSON)', async () => {
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      'registries:',
      `  - hostname: '${pair.targetProxy.host}'`,
      "    repository: 'mirror'",
      `    images: ['${pair.sourceProxy.host}/retry/app:v1']`,
      '',
    ].join('\n'),
  );
  const faults = () => {
    pair.sourceProxy.addFault({ method: 'HEAD', pathPattern: /\/manifests\//, times: 1, action: { kind: 'status', status: 503 } });
    pair.targetProxy.addFault({ method: 'HEAD', pathPattern: /\/manifests\//, times: 1, action: { kind: 'status', status: 503 } });
  };
  faults();
  const plain = await runCli(['load', '--config', config, '--all', '--dry-run']);
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  const retries = plain.stdout.split('\n').filter((l) => l.includes('retrying'));
  assert.equal(retries.length, 2, plain.stdout);
  const prefix = `[${pair.targetProxy.host}] retrying HEAD `;
  assert.ok(
    retries.some((l) => l.includes(`${prefix}http://${pair.sourceProxy.host}/v2/retry/app/manifests/v1`)),
    retries.join('\n'),
  );
  assert.ok(
    retries.some((l) => l.includes(`${prefix}http://${pair.targetProxy.host}/v2/mirror/retry/app/manifests/v1`)),
    retries.join('\n'),
  );

  faults();
  const json = await runCli(['load', '--config', config, '--all', '--log-format', 'json']);
  assert.equal(json.code, 0, json.stdout + json.stderr);
  const events = jsonLines(json.stdout).filter((e) => e.type === 'retry');
  assert.deepEqual(
    events.map((e) => e.registry),
    [pair.targetProxy.host, pair.targetProxy.host],
  );
  assert.equal((await skopeoInspectRaw(`${pair.target.host}/mirror/retry/app:v1`, pair.target)).digest, built.digest);
});
