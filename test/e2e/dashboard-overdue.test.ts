import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { API_TOKEN, testApi } from '../../src/server/api-test-kit.js';
import { OVERDUE_AFTER_MS } from '../../src/server/dashboard/overdue.js';
import { launchChromium, watchedPage } from './browser-kit.js';
import { signIn } from './dashboard-kit.js';

/**
 * The overdue badge in a real browser (Debian's chromium). A schedule is overdue when its tick is over
 * a minute late: rather than wait for real minutes, the API (the real routes, scheduler, store and
 * page, with hand-fired ticks) is told its schedule was set long ago and never ticked since, which is
 * what a suspended or stuck process leaves behind.
 */

const MIRROR = 'mirror.example:5000';
const OTHER = 'other.example';
const SCHEDULE = '*/2 * * * * *';

test(
  'overdue: a schedule whose tick is over a minute late shows the badge on its row and its page, live; the badge goes when the tick comes',
  { timeout: 120_000 },
  async (t) => {
    const browser = await launchChromium();
    let api: Awaited<ReturnType<typeof testApi>> | undefined;
    // The browser first: its live stream would hold the server's close.
    t.after(async () => {
      await browser.close();
      await api?.close();
    });
    // The API after the browser: a slow launch must not let the fresh schedule's real minute pass.
    api = await testApi();
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}/`;
    const { page, problems } = await watchedPage(browser);

    await signIn(page, url, API_TOKEN);
    const row = page.locator(`li.row[data-registry="${MIRROR}"]`);
    await row.locator('.host').waitFor();
    await page.locator(`li.row[data-registry="${OTHER}"]`).waitFor();
    assert.equal(await page.locator('.warn-overdue').count(), 0, 'a schedule just set owes nothing yet');

    // As if the schedule was set 5 minutes ago and has not ticked since: its 2-second tick is long overdue.
    api.dashboard.observe({
      type: 'sync-scheduled',
      registry: MIRROR,
      schedule: SCHEDULE,
      nextRun: null,
      time: Date.now() - OVERDUE_AFTER_MS - 5 * 60_000,
    });
    const badge = row.locator('.warn-overdue');
    await badge.waitFor();
    assert.equal(await badge.textContent(), '⚠ overdue', 'shown without a reload: the live stream says the overview changed');
    assert.match((await badge.getAttribute('title')) ?? '', /^a tick was due \S+ and has not come: is the process suspended or stuck\?$/);
    assert.equal(await page.locator(`li.row[data-registry="${OTHER}"] .warn-overdue`).count(), 0, 'only the late schedule');
    assert.equal(
      await page.locator('.summary').textContent(),
      '2 registries: 0 running, 0 paused, 1 needing a look',
      'the summary counts it',
    );

    await row.locator('a.host').click();
    const pageBadge = page.locator('h1.host + .badges .warn-overdue');
    await pageBadge.waitFor();
    assert.equal(await pageBadge.textContent(), '⚠ overdue', "the registry's own page warns too");

    // The tick comes: a run starts, and a running registry is never overdue.
    api.tickers.live(SCHEDULE).fire();
    await pageBadge.waitFor({ state: 'detached' });
    api.runner.runs[0]?.finish();
    await api.scheduler.get(MIRROR)?.idle();
    await page.getByRole('link', { name: '← Registries' }).click();
    await row.locator('.host').waitFor();
    await page.locator(`li.row-scheduled[data-registry="${MIRROR}"]`).waitFor();
    assert.equal(await row.locator('.warn-overdue').count(), 0, 'the tick came: no longer overdue');
    assert.deepEqual(problems, [], 'no console errors');
  },
);
