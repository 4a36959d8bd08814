import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import semver from 'semver';
import { Agent, UNDICI_INTERNALS, undiciInternal } from './undici-agent.js';

const require = createRequire(import.meta.url);

test('the Agent loaded from undici’s own files is the one undici exports, with its request API', async (t) => {
  // Imported second, so the first load above cannot have borrowed anything from the index.
  const undici = await import('undici');
  assert.equal(Agent, undici.Agent, 'undici moved lib/dispatcher/agent.js: update undici-agent.ts');
  const agent = new Agent();
  t.after(() => agent.close());
  for (const method of ['request', 'stream', 'pipeline', 'connect', 'upgrade'] as const) {
    assert.equal(typeof agent[method], 'function', `Agent#${method}`);
    assert.equal(
      (agent as unknown as Record<string, unknown>)[method],
      (undici.Dispatcher.prototype as unknown as Record<string, unknown>)[method],
    );
  }
});

test('every internal path of undici that undici-agent.ts loads is where it was written for', () => {
  for (const path of UNDICI_INTERNALS) {
    assert.doesNotThrow(() => require.resolve(path), `undici's internal path ${path} moved; update undici-agent.ts`);
  }
});

test('an internal path that moved fails loudly, naming it and the file to update', () => {
  assert.throws(() => undiciInternal('undici/lib/dispatcher/moved-away.js'), {
    code: 'INTERNAL',
    message:
      "undici's internal path undici/lib/dispatcher/moved-away.js moved; update src/transport/undici-agent.ts for the undici installed",
  });
});

test('package.json pins undici to one minor, and that minor is the one installed', () => {
  const pinned =
    (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> })
      .dependencies.undici ?? '';
  const installed = (require('undici/package.json') as { version: string }).version;
  assert.match(
    pinned,
    /^~\d+\.\d+\.\d+$/,
    `undici is pinned as "${pinned}": undici-agent.ts loads its internal files, so keep it to one minor (~X.Y.Z)`,
  );
  assert.ok(
    semver.satisfies(installed, pinned),
    `undici ${installed} is installed, package.json pins ${pinned}: check undici-agent.ts against it`,
  );
});
