import { Credentials } from '../auth/credentials.js';
import type { PictureBookConfig } from '../config/index.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { ControlledRunner, ManualTickers, registryConfig } from '../scheduler/scheduler-test-kit.js';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import type { ApiContext } from './api-context.js';
import { buildApp } from './app.js';
import { DashboardFeed } from './dashboard/live-feed.js';
import type { DistributeRequest } from './distribute/request-schema.js';
import { SyncMetrics } from './metrics/sync-metrics.js';
import type { ServiceEvent } from './service-events.js';

/** An API over a real scheduler and store, with hand-fired ticks and hand-finished runs. Tests only. */
export const PUSH_PASSWORD = 'push-secret-5f1c';
export const API_TOKEN = 'api-token-9d2e';

export function testConfig(overrides: Partial<PictureBookConfig['api']> = {}): PictureBookConfig {
  const withAuth = {
    ...registryConfig('mirror.example:5000', '*/2 * * * * *'),
    pushAuth: { kind: 'userpass' as const, credentials: new Credentials('pusher', PUSH_PASSWORD) },
  };
  return {
    file: '/etc/picture-book/config.yaml',
    registries: [withAuth, registryConfig('other.example')],
    display: 'plain',
    api: { enabled: true, port: 8001, enableAuth: true, authToken: API_TOKEN, host: '127.0.0.1', ...overrides },
    state: { path: ':memory:', retentionDays: 30 },
    sync: { runOnStart: false, gracePeriodSeconds: 1, timezone: 'UTC' },
    concurrency: { images: 2, blobs: 4 },
  };
}

export async function testApi(config = testConfig()) {
  const store = SqliteRunStore.open(':memory:');
  const tickers = new ManualTickers();
  const runner = new ControlledRunner();
  const events: unknown[] = [];
  const submitted: DistributeRequest[] = [];
  let current = config;
  const dashboard = new DashboardFeed();
  const scheduler = new Scheduler({
    store,
    runner: runner.runner,
    tickers: tickers.factory,
    emit: (e) => {
      metrics.observe(e);
      dashboard.observe(e);
      events.push(e);
    },
  });
  const metrics = new SyncMetrics({
    synchronizerStates: () => scheduler.list().map((s) => ({ registry: s.hostname, state: s.state })),
    jobCounts: () => store.jobCounts(),
  });
  await scheduler.start(config.registries, config.sync);
  const context: ApiContext = {
    config: () => current,
    scheduler,
    store,
    metrics,
    dashboard,
    jobs: { submit: async (request) => (submitted.push(request), `job-${submitted.length}`) },
    emit: (event: ServiceEvent) => {
      metrics.observe(event);
      dashboard.observe(event);
      events.push(event);
    },
  };
  const app = buildApp(context);
  const auth = { authorization: `Bearer ${API_TOKEN}` };
  const close = async () => {
    for (const run of runner.runs) run.finish();
    await scheduler.stop(0);
    await app.close();
    dashboard.close();
    await store.close();
  };
  return {
    app,
    auth,
    /** The app's context: a test may set what the server would (`queueReachable`). */
    context,
    store,
    tickers,
    runner,
    events,
    submitted,
    scheduler,
    dashboard,
    setConfig: (c: PictureBookConfig) => void (current = c),
    close,
  };
}
