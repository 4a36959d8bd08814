import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ApiContext } from '../api-context.js';
import { apiTime } from '../distribute/job-view.js';
import type { ZodTypeProvider } from '../openapi/zod-compilers.js';
import { overviewSchema, runDetailSchema, runPageSchema } from './dashboard-schemas.js';
import { dashboardRow, historyRunView, liveRunView, runImagesView, runPrunesView } from './dashboard-views.js';

/** A run's deletions shown with it: more than a page of the dashboard would ever be read. */
const RUN_PRUNES = 10_000;

/** What the dashboard reads beyond /list and /ops: the overview with warnings and live runs, the run history. */
export function dashboardRoutes(app: FastifyInstance, context: ApiContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { dashboard: feed, store } = context;

  routes.get('/api/sync/overview', { schema: overviewSchema }, async () => {
    const now = Date.now();
    const registries = await Promise.all(context.scheduler.list().map((sync) => dashboardRow(sync, store, feed, now)));
    return { time: apiTime(now) ?? '', registries };
  });

  routes.get('/api/sync/runs', { schema: runPageSchema }, async (request) => {
    const { registry, limit, before, failed } = request.query;
    const page = await store.listRunPage({ registry, limit, before, failedOnly: failed === 'true' });
    if (!page) throw new ApiError(400, 'INVALID_QUERY', `before: no run ${before} to page from`);
    return { runs: page.runs.map(historyRunView), next: page.more ? (page.runs.at(-1)?.id ?? null) : null };
  });

  routes.get('/api/sync/runs/:id', { schema: runDetailSchema }, async (request) => {
    const run = await store.getRun(request.params.id);
    if (!run) throw new ApiError(404, 'RUN_NOT_FOUND', `no run ${request.params.id} (runs older than state.retentionDays are pruned)`);
    const live = feed.runs.view(run.registry, Date.now());
    const pruned = (await store.ownership?.prunedTags({ runId: run.id, limit: RUN_PRUNES })) ?? [];
    const skipped = (await store.ownership?.skippedPrunes(run.id)) ?? [];
    return {
      run: historyRunView(run),
      images: runImagesView(run),
      prunes: runPrunesView(pruned, skipped),
      live: live?.runId === run.id ? liveRunView(live) : null,
    };
  });
}
