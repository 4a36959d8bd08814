import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CopyEngine } from '../../src/copy/index.js';
import { pushImage } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { useProxiedPair } from './proxied-pair.js';

/** Registries and the proxies in front of them log and rate-limit by User-Agent: every request says who we are. */
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));
const expected = `picture-book/${version}`;

const pair = useProxiedPair(async ({ source }) => {
  await pushImage(ociImage, source, 'ua/app:v1');
});

function userAgents(): Set<string | undefined> {
  return new Set([...pair.sourceProxy.requests, ...pair.targetProxy.requests].map((r) => r.headers['user-agent']));
}

test('the copy engine sends User-Agent: picture-book/<version> on every request', async () => {
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const engine = new CopyEngine();
  try {
    await engine.copy({ source: `${pair.sourceProxy.host}/ua/app:v1`, target: `${pair.targetProxy.host}/ua/engine:v1` });
  } finally {
    await engine.close();
  }
  assert.ok(pair.targetProxy.count('PUT', /\/manifests\//) === 1, 'the copy went through the proxies');
  assert.deepEqual(userAgents(), new Set([expected]));
});

test('the bundled CLI sends the same, with its version built in (it reads no package.json)', async () => {
  pair.sourceProxy.clearRequests();
  pair.targetProxy.clearRequests();
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'copy', `${pair.sourceProxy.host}/ua/app:v1`, `${pair.targetProxy.host}/ua/cli:v1`],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' }, timeout: 60_000 },
      (error, _stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
      },
    );
  });
  assert.equal(code, 0, stderr);
  assert.deepEqual(userAgents(), new Set([expected]));
  const binDir = fileURLToPath(new URL('../../bin/', import.meta.url));
  const files = [
    join(binDir, 'picture-book.js'),
    ...readdirSync(join(binDir, 'chunks'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => join(binDir, 'chunks', f)),
  ];
  for (const file of files)
    assert.equal(readFileSync(file, 'utf8').includes('package.json'), false, `${file} must not look for package.json`);
});
