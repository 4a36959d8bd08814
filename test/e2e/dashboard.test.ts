import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startFaultProxy, startRegistry, type BuiltImage, type FaultProxy, type TestRegistry } from '../harness/index.js';
import { horizontalOverflow, launchChromium, screenshot, screenshotDir, watchedPage } from './browser-kit.js';
import { dockerImage, ociImage } from './fixtures.js';
import { largestBlob } from './stop-kit.js';
import { apiPort, startSync, submitJob, until, writeConfig, type SyncProcess } from './sync-kit.js';

/**
 * The dashboard in a real browser (Debian's chromium) against the real `picture-book sync` and real
 * registries: A mirrors three images through a fault proxy that can hold a blob mid-stream (one image
 * does not exist: its run fails), B mirrors one image every 2 seconds, C's syncer script fails every
 * 2 seconds.
 */

const TOKEN = 'dashboard-test-token-5b2e';
let source: TestRegistry;
let targetA: TestRegistry;
let targetB: TestRegistry;
let proxy: FaultProxy;
let app: BuiltImage;
let server: SyncProcess;
let browser: Browser;
let home: string;
let shots: string;
let configFile: string;
let A: string;
let B: string;
const C = '127.0.0.1:9';
let port: number;

function config(withMissing: boolean) {
  const images = [`${proxy.host}/dash/app:v1`, `${proxy.host}/dash/tools:v1`, ...(withMissing ? [`${proxy.host}/dash/missing:v1`] : [])];
  return {
    registries: [
      // Once a year: runs only when asked. One image at a time, so a held blob holds the run.
      { hostname: targetA.host, repository: 'mirror', images, syncPeriod: '0 0 1 1 *', concurrency: 1 },
      { hostname: targetB.host, repository: 'mirror', images: [`${source.host}/dash/tools:v1`], syncPeriod: '*/2 * * * * *' },
      { hostname: C, syncerScript: './list-images.sh', syncPeriod: '*/2 * * * * *' },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(home, 'state', 'picture-book.db') },
    sync: { runOnStart: false, timezone: 'Europe/Berlin' },
  };
}

before(async () => {
  [source, targetA, targetB] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(source);
  [app] = await Promise.all([pushImage(ociImage, source, 'dash/app:v1'), pushImage(dockerImage, source, 'dash/tools:v1')]);
  home = await makeTempDir('dashboard');
  await writeFile(join(home, 'list-images.sh'), '#!/bin/sh\necho "the catalog service is down" >&2\nexit 3\n', { mode: 0o755 });
  shots = await screenshotDir(join(home, 'screenshots'));
  A = targetA.host;
  B = targetB.host;
  port = await apiPort();
  configFile = await writeConfig(home, config(true));
  server = await startSync(configFile, { port, token: TOKEN, cwd: home });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  proxy?.clearFaults();
  proxy?.release();
  await server?.kill();
  await proxy?.close();
  await Promise.all([source?.stop(), targetA?.stop(), targetB?.stop()]);
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(server.url);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Clicks an action of a registry's row and answers its confirmation. */
async function act(
  page: Page,
  registry: string,
  action: 'run' | 'pause' | 'resume',
  answer: 'confirm' | 'cancel' = 'confirm',
): Promise<void> {
  await page.locator(`li.row[data-registry="${registry}"] button[data-action="${action}"]`).click();
  const dialog = page.locator('dialog.confirm[open]');
  await dialog.waitFor();
  await dialog
    .getByRole('button', {
      name: answer === 'cancel' ? 'Cancel' : { run: 'Run now', pause: 'Pause', resume: 'Resume' }[action],
      exact: true,
    })
    .click();
  await dialog.waitFor({ state: 'hidden' });
}

test(
  'without the token the page is a login form and nothing else; a wrong token is refused; the API answers nothing without it',
  { timeout: 120_000 },
  async (t) => {
    const { context, page, problems } = await watchedPage(browser);
    t.after(() => context.close());
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(server.url);
    assert.equal(new URL(page.url()).pathname, '/ui/', '/ goes to the dashboard');
    await page.locator('#token').waitFor();
    assert.equal(await page.locator('header, nav, li.row, table').count(), 0, 'no data and no navigation before signing in');

    await signIn(page, 'not-the-token');
    await page.getByText('That token is not valid.').waitFor();
    assert.equal(await page.locator('li.row').count(), 0);
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'a refused token is not kept');
    assert.deepEqual(await context.cookies(), []);
    assert.equal(
      urls.some((url) => url.includes('not-the-token')),
      false,
      'the token is never in a URL',
    );
    assert.deepEqual(
      problems.filter((p) => !/status of 401 \(Unauthorized\)/.test(p)),
      [],
      'only the refusal itself shows in the console',
    );

    for (const path of [
      '/api/sync/overview',
      '/api/sync/runs',
      '/api/sync/runs/1',
      '/api/sync/live',
      '/list?type=active',
      '/api/distribute/image',
    ]) {
      assert.equal((await server.api(path, { token: null })).status, 401, `${path} without the token`);
      assert.equal((await server.api(path, { token: 'not-the-token' })).status, 401, `${path} with a wrong token`);
    }
    for (const path of ['/ui/', '/ui/app.js', '/ui/app.css'])
      assert.equal((await server.api(path, { token: null })).status, 200, `${path} is open: it holds no data`);
  },
);

test(
  'sign in, watch a run go live to done, read its failure, filter, pause and resume, jobs; no console errors',
  { timeout: 180_000 },
  async (t) => {
    const { context, page, problems } = await watchedPage(browser, { viewport: { width: 1280, height: 860 } });
    t.after(() => context.close());
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    let loads = 0;
    page.on('load', () => loads++);

    await signIn(page, TOKEN);
    const rowA = page.locator(`li.row[data-registry="${A}"]`);
    const rowB = page.locator(`li.row[data-registry="${B}"]`);
    await rowA.waitFor();
    assert.equal(await rowA.locator('.schedule').textContent(), 'At 00:00, on day 1 of the month, only in January (Europe/Berlin)');
    assert.match((await rowA.locator('.next-run').textContent()) ?? '', /^in .+ \(1 Jan \d{4}, 00:00:00 (CET|GMT\+1)\)$/);
    assert.equal(await rowA.locator('[data-state]').getAttribute('data-state'), 'scheduled');
    assert.equal(await page.evaluate("sessionStorage.getItem('picture-book.token')"), TOKEN, 'kept in this tab only');
    // B's schedule ticks every 2 s: its first run mirrors tools:v1. C fails each time: after 3, its row warns.
    await rowB.locator('.last-run [data-result="succeeded"]').waitFor({ timeout: 30_000 });
    const rowC = page.locator(`li.row[data-registry="${C}"]`);
    await rowC.locator('.warn-failing').waitFor({ timeout: 30_000 });
    assert.match((await rowC.locator('.warn-failing').textContent()) ?? '', /^⚠ last [3-9] runs failed$/);
    assert.match((await rowC.locator('.error-text').textContent()) ?? '', /exited with code 3: the catalog service is down$/);

    // A run of A, held mid-copy by the proxy: the page follows it without reloading.
    const held = `/v2/dash/app/blobs/${largestBlob(app).digest}`;
    proxy.addFault({ method: 'GET', pathPattern: new RegExp(held), times: 1, action: { kind: 'stall', afterBytes: 64 * 1024 } });
    const runsBefore = server.events('sync-run-started', A).length;
    await act(page, A, 'run', 'cancel');
    assert.equal(server.events('sync-run-started', A).length, runsBefore, 'cancelled in the confirmation: no run');
    await act(page, A, 'run');
    await until(() => proxy.stalled.some((r) => r.path === held), 'the largest blob of app:v1 to be held mid-stream');
    const liveA = rowA.locator('.live');
    await liveA.locator('[data-phase="copying"]').waitFor();
    assert.equal(await liveA.locator('.live-count').textContent(), '0 of 3 images');
    assert.equal(await rowA.locator('[data-state]').getAttribute('data-state'), 'running');
    await page
      .locator('.notice-item', { hasText: `${A}: run started` })
      .getByRole('button', { name: 'Dismiss' })
      .click();
    await screenshot(page, shots, 'dashboard-overview.png');

    await rowA.locator('a.host').click();
    const detail = page.locator(`.live-slot[data-registry="${A}"] .live`);
    await detail.locator('[data-phase="copying"]').waitFor();
    assert.match((await detail.locator('.in-flight').textContent()) ?? '', new RegExp(`${A}/mirror/dash/app:v1`));
    proxy.release();
    await detail.locator('[data-phase="done"]').waitFor({ timeout: 30_000 });
    assert.equal(await detail.locator('.live-count').textContent(), '3 of 3 images');
    assert.equal(await detail.locator('[data-result]').getAttribute('data-result'), 'failed');
    assert.match((await detail.locator('.failures').textContent()) ?? '', /dash\/missing:v1/);
    assert.equal(loads, 1, 'followed live, never reloaded');

    // The failed run in the history, then a run that succeeds (the missing image taken out by a reload).
    const failedRun = page.locator('tr.run-failed');
    await failedRun.waitFor().catch(async (e) => {
      await page.screenshot({ path: '/tmp/h-ui/debug.png', fullPage: true });
      throw e;
    });
    const failedId = await failedRun.getAttribute('data-run');
    const reloads = server.events('config-reloaded').length;
    await writeConfig(home, config(false));
    await until(() => server.events('config-reloaded').length > reloads, 'the configuration to be reloaded');
    await page.locator(`button[data-action="run"]`).click();
    await page.locator('dialog.confirm[open]').getByRole('button', { name: 'Run now', exact: true }).click();
    await page.locator('tr.run-succeeded').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('tr.run').count(), 2);
    await page.locator('#failed-only').check();
    await until(async () => (await page.locator('tr.run').count()) === 1, 'the failed-only filter');
    assert.equal(await page.locator('tr.run').getAttribute('data-run'), failedId);
    assert.ok((await page.locator('.chart svg').count()) === 0, 'no chart for a single run');
    await page.locator('#failed-only').uncheck();
    await page.locator('.chart svg rect.bar').nth(1).waitFor();

    // The failed run: each image's outcome and the failure's text.
    await page.locator(`tr.run-failed a[href="#/run/${failedId}"]`).click();
    const images = page.locator('table.images tbody tr');
    await until(async () => (await images.count()) === 3, 'the run page with its three images');
    const failedImage = page.locator('tr.image-failed');
    assert.match((await failedImage.textContent()) ?? '', /dash\/missing:v1/);
    const error = (await failedImage.locator('.error-text').textContent()) ?? '';
    assert.match(error, /^[A-Z_]+: .*dash\/missing/, `the failure text: ${error}`);
    assert.equal(await page.locator('tr.image-copied').count(), 2);
    await screenshot(page, shots, 'dashboard-run.png');
    await page.locator('#failed-images').check();
    assert.equal(await images.count(), 1, 'failed only');

    // Pause and resume B from the overview: the row says so at once, the server agrees.
    await page.getByRole('link', { name: 'Registries' }).click();
    await act(page, B, 'pause', 'cancel');
    assert.notEqual(
      (await server.api('/list?type=active')).json.synchronizers.find((s: { hostname: string }) => s.hostname === B).state,
      'paused',
    );
    await act(page, B, 'pause');
    await rowB.locator('[data-state="paused"]').waitFor({ timeout: 5000 });
    assert.equal(
      (await server.api('/list?type=active')).json.synchronizers.find((s: { hostname: string }) => s.hostname === B).state,
      'paused',
    );
    assert.equal(await rowB.locator('button[data-action="run"]').count(), 0, 'a paused registry offers resume, not run');
    await act(page, B, 'resume');
    await rowB.locator('[data-state="scheduled"], [data-state="running"]').first().waitFor({ timeout: 5000 });
    assert.notEqual(
      (await server.api('/list?type=active')).json.synchronizers.find((s: { hostname: string }) => s.hostname === B).state,
      'paused',
    );

    // Jobs, newest first, with their targets.
    const job = await submitJob(server, {
      source: { endpoint: `http://${source.host}/v2`, image: 'dash/tools', ref: 'v1' },
      targets: [{ endpoint: `http://${targetA.host}/v2` }],
    });
    await page.getByRole('link', { name: 'Jobs' }).click();
    const jobRow = page.locator(`tr.job[data-job="${job}"]`);
    await jobRow.locator('td[data-label="State"] [data-result="finished"]').waitFor({ timeout: 30_000 });
    assert.match((await jobRow.textContent()) ?? '', new RegExp(`dash/tools:v1.*http://${targetA.host}/v2`));

    assert.equal(
      urls.some((url) => url.includes(TOKEN)),
      false,
      'the token is never in a URL',
    );
    assert.deepEqual(await context.cookies(), [], 'nor in a cookie');
    assert.deepEqual(problems, [], 'no console errors or warnings');
  },
);

test('at phone width in dark mode: every page fits the screen, dark', { timeout: 120_000 }, async (t) => {
  const { context, page, problems } = await watchedPage(browser, {
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    isMobile: true,
    hasTouch: true,
  });
  t.after(() => context.close());
  await signIn(page, TOKEN);
  await page.locator(`li.row[data-registry="${A}"]`).waitFor();
  const background = String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
  const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
  assert.ok((r ?? 255) + (g ?? 255) + (b ?? 255) < 150, `a dark background: ${background}`);
  assert.equal(await horizontalOverflow(page), 0, 'the overview fits');
  await screenshot(page, shots, 'dashboard-phone-dark.png');

  const [run] = (await server.api(`/api/sync/runs?registry=${A}&failed=true&limit=1`)).json.runs;
  for (const [hash, ready] of [
    [`#/registry/${A}`, 'tr.run'],
    [`#/run/${run.id}`, 'table.images'],
    ['#/jobs', 'tr.job'],
  ] as const) {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await page.locator(ready).first().waitFor();
    assert.equal(await horizontalOverflow(page), 0, `${hash} fits`);
  }
  assert.deepEqual(problems, []);
});
