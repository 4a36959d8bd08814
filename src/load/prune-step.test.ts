import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { RegistryConfig } from '../config/index.js';
import type { RegistryClients } from '../registry/index.js';
import { compileRule, expandRule } from '../select/index.js';
import { FakeLister } from '../select/lister-test-kit.js';
import { SqliteRunStore } from '../store/index.js';
import { ruleKey } from '../prune/index.js';
import type { LoadEvent } from './events.js';
import { pruneStep } from './prune-step.js';

const REG = 'src.example:5000';
const store = SqliteRunStore.open(':memory:');
after(() => store.close());

/** A registry whose only rule prunes, owning a tag its source no longer has; clients that must not be used. */
async function setup(hostname = 'mirror:5000') {
  const place = { hostname, repository: 'm' };
  const rule = compileRule({ source: `${REG}/app`, prune: { maxFraction: 1 } }, 'mirrors[0]');
  await store.ownership.recordWritten(
    [
      {
        registry: hostname,
        ruleKey: ruleKey(rule, place),
        target: `${hostname}/m/app:old`,
        source: `${REG}/app:old`,
        digest: `sha256:${'1'.repeat(64)}`,
      },
    ],
    1,
  );
  const expansion = await expandRule(rule, { lister: new FakeLister({ [REG]: { app: ['new'] } }), target: place });
  const used: string[] = [];
  const clients = {
    repository: (_host: string, name: string) => {
      used.push(name);
      throw new Error('the target must not be touched');
    },
  } as unknown as RegistryClients;
  const events: LoadEvent[] = [];
  const input = {
    registry: { hostname, repository: 'm' } as RegistryConfig,
    expansions: [expansion],
    images: [],
    outcomes: [],
    ledger: store.ownership,
    clients,
    resolve: async () => undefined,
    dryRun: false,
    confirm: false,
    runId: undefined,
    stopped: false,
    signal: undefined,
    emit: (e: LoadEvent) => events.push(e),
  };
  return { input, used, events };
}

test('a stopped run prunes nothing and says so', async () => {
  const { input, used, events } = await setup();
  const result = await pruneStep({ ...input, stopped: true });
  assert.deepEqual(result, { problems: [], deleted: 0 });
  assert.deepEqual(used, [], 'the target was not asked anything');
  assert.deepEqual(
    events.map((e) => e.type === 'warning' && e.message),
    ['mirror:5000: nothing pruned (mirrors[0]): the run was stopped before its end'],
  );
});

test('an OCI layout target, or a run without a history, prunes nothing and says why', async () => {
  const layout = await setup('oci:/tmp/some-layout');
  await pruneStep(layout.input);
  assert.match(
    String(layout.events[0]?.type === 'warning' && layout.events[0].message),
    /prune applies to registries, not to OCI layouts$/,
  );
  const noHistory = await setup('mirror:5001');
  await pruneStep({ ...noHistory.input, ledger: undefined });
  assert.match(
    String(noHistory.events[0]?.type === 'warning' && noHistory.events[0].message),
    /this run keeps no history of what picture-book wrote$/,
  );
  assert.deepEqual([...layout.used, ...noHistory.used], []);
});

test('a run that can prune asks the target (here: a failure, reported as PRUNE_FAILED)', async () => {
  const { input, used } = await setup('mirror:5002');
  const result = await pruneStep(input);
  assert.deepEqual(used, ['m/app']);
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.message]),
    [['PRUNE_FAILED', 'mirrors[0]: the target must not be touched']],
  );
});
