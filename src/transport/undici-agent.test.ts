import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from './undici-agent.js';

test('the Agent loaded from undici’s own files is the one undici exports, with its request API', async (t) => {
  // Imported second, so the first load above cannot have borrowed anything from the index.
  const undici = await import('undici');
  assert.equal(Agent, undici.Agent, 'undici moved lib/dispatcher/agent.js: update undici-agent.ts');
  const agent = new Agent();
  t.after(() => agent.close());
  for (const method of ['request', 'stream', 'pipeline', 'connect', 'upgrade'] as const) {
    assert.equal(typeof agent[method], 'function', `Agent#${method}`);
    assert.equal(agent[method], (undici.Dispatcher.prototype as unknown as Record<string, unknown>)[method]);
  }
});
