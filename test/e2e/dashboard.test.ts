import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { horizontalOverflow, screenshot, watchedPage } from './browser-kit.js';
import { act, serverState, signIn, startDashboardFixture, TOKEN, type DashboardFixture } from './dashboard-kit.js';
import { largestBlob } from './stop-kit.js';
import { submitJob, until } from './sync-kit.js';

/** The dashboard in a real browser (Debian's chromium) against the real `picture-book sync` and registries (see dashboard-kit). */

let f: DashboardFixture;
before(async () => {
  f = await startDashboardFixture();
});
after(() => (f as DashboardFixture | undefined)?.close());

/** Whether the element behind `handle` is still in the page and has the focus. */
const focused = (handle: Awaited<ReturnType<Locator['elementHandle']>>) =>
  handle.evaluate((element) => element.isConnected && element === element.ownerDocument.activeElement);

/** Waits for the history of the registry page shown to have a newer run at its top than `id`. */
const newerRunThan = (page: Page, id: string | null) =>
  until(async () => (await page.locator('tr.run').first().getAttribute('data-run')) !== id, 'a newer run in the history');

test(
  'without the token the page is a login form and nothing else; a wrong token is refused; the API answers nothing without it',
  { timeout: 120_000 },
  async (t) => {
    const { server } = f;
    const { context, page, problems } = await watchedPage(f.browser);
    t.after(() => context.close());
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(server.url);
    assert.equal(new URL(page.url()).pathname, '/ui/', '/ goes to the dashboard');
    await page.locator('#token').waitFor();
    assert.equal(await page.locator('header, nav, li.row, table').count(), 0, 'no data and no navigation before signing in');

    await signIn(page, server.url, 'not-the-token');
    await page.getByText('That token is not valid.').waitFor();
    assert.equal(await page.locator('li.row').count(), 0);
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'a refused token is not kept');
    assert.deepEqual(await context.cookies(), []);
    assert.equal(urls.filter((url) => url.includes('not-the-token')).length, 0, 'the token is never in a URL');
    assert.deepEqual(
      problems.filter((p) => !p.includes('status of 401 (Unauthorized)')),
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
  'sign in, watch a run go live to done, read its failure, filter, pause and resume, jobs; live updates keep the focus; no console errors',
  { timeout: 180_000 },
  async (t) => {
    const { server, proxy, A, B, C } = f;
    const { context, page, problems } = await watchedPage(f.browser, { viewport: { width: 1280, height: 860 } });
    t.after(() => context.close());
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    let loads = 0;
    page.on('load', () => loads++);

    await signIn(page, server.url, TOKEN);
    const rowA = page.locator(`li.row[data-registry="${A}"]`);
    const rowB = page.locator(`li.row[data-registry="${B}"]`);
    await rowA.waitFor();
    assert.equal(await rowA.locator('.schedule').textContent(), 'At 00:00, on day 1 of the month, only in January (Europe/Berlin)');
    assert.match((await rowA.locator('.next-run').textContent()) ?? '', /^in .+ \(1 Jan \d{4}, 00:00:00 (CET|GMT\+1)\)$/);
    assert.equal(await rowA.locator('[data-state]').getAttribute('data-state'), 'scheduled');
    assert.equal(await page.evaluate("sessionStorage.getItem('picture-book.token')"), TOKEN, 'kept in this tab only');
    assert.equal((await page.content()).includes(TOKEN), false, 'never in the page itself');
    // B's schedule ticks every 2 s: its first run mirrors tools:v1. C fails each time: after 3, its row warns (the streak may be longer by the time the page is read: the test shares a loaded machine).
    await rowB.locator('.last-run [data-result="succeeded"]').waitFor({ timeout: 30_000 });
    assert.match((await rowB.locator('.figures').textContent()) ?? '', /^[01] copied(, 1 up to date)? · \d+(\.\d)? [KMG]?B · [\d.]+ m?s$/);
    const rowC = page.locator(`li.row[data-registry="${C}"]`);
    await rowC.locator('.warn-failing').waitFor({ timeout: 30_000 });
    assert.match((await rowC.locator('.warn-failing').textContent()) ?? '', /^⚠ last ([3-9]|[1-9]\d+) runs failed$/);
    assert.match((await rowC.locator('.error-text').textContent()) ?? '', /exited with code 3: the catalog service is down$/);

    // A run of A, held mid-copy by the proxy: the page follows it without reloading.
    const held = `/v2/dash/app/blobs/${largestBlob(f.app).digest}`;
    proxy.addFault({ method: 'GET', pathPattern: new RegExp(held), times: 1, action: { kind: 'stall', afterBytes: 64 * 1024 } });
    await page.evaluate(`window.notices = new Set();
      new MutationObserver((changes) => {
        for (const change of changes) for (const item of change.addedNodes) window.notices.add(item.firstChild?.textContent);
      }).observe(document.getElementById('notice'), { childList: true })`);
    const runsBefore = server.events('sync-run-started', A).length;
    await act(page, A, 'run', 'cancel');
    assert.equal(server.events('sync-run-started', A).length, runsBefore, 'cancelled in the confirmation: no run');
    await act(page, A, 'run');
    await until(() => proxy.stalled.some((r) => r.path === held), 'the largest blob of app:v1 to be held mid-stream');
    const liveA = rowA.locator('.live');
    await liveA.locator('[data-phase="copying"]').waitFor();
    assert.equal(await liveA.locator('.live-count').textContent(), '0 of 3 images');
    const facts = await liveA.locator('.live-facts > span').allTextContents();
    assert.match(facts[0] ?? '', /^\d+(\.\d)? [KMG]?B$/, 'bytes so far');
    assert.match(facts[1] ?? '', /^\d+(\.\d)? [KMG]?B\/s$/, 'the rate');
    assert.equal(facts[2], '1 in flight');
    assert.equal(await rowA.locator('[data-state]').getAttribute('data-state'), 'running');
    // The notice goes by itself after 4 s (before the test gets here on a loaded machine): recorded as it
    // comes, and out of the screenshot.
    await until(async () => (await page.evaluate<string[]>('[...window.notices]')).includes(`${A}: run started`), 'the run-started notice');
    await page.locator('.notice-item', { hasText: `${A}: run started` }).waitFor({ state: 'detached' });
    await screenshot(page, f.shots, 'dashboard-overview.png');

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
    await failedRun.waitFor();
    const failedId = await failedRun.getAttribute('data-run');
    const reloads = server.events('config-reloaded').length;
    await f.configure(false);
    await until(() => server.events('config-reloaded').length > reloads, 'the configuration to be reloaded');
    await page.locator('button[data-action="run"]').click();
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
    await screenshot(page, f.shots, 'dashboard-run.png');
    await page.locator('#failed-images').check();
    assert.equal(await images.count(), 1, 'failed only');

    // B runs every 2 s. On the overview its row shows each new run without replacing its buttons: a
    // focused button keeps the focus (and a click is never lost to a redraw).
    await page.getByRole('link', { name: 'Registries' }).click();
    const pauseB = await rowB.locator('button[data-action="pause"]').elementHandle();
    await pauseB.focus();
    const lastOfB = await rowB.locator('.last-run').getAttribute('href');
    await until(async () => (await rowB.locator('.last-run').getAttribute('href')) !== lastOfB, 'a newer run of B on the overview');
    assert.equal(await focused(pauseB), true, 'the pause button keeps the focus through the update');

    // Pause and resume B from the overview: the row says so at once, the server agrees.
    await act(page, B, 'pause', 'cancel');
    assert.notEqual(await serverState(server, B), 'paused');
    await act(page, B, 'pause');
    await rowB.locator('[data-state="paused"]').waitFor({ timeout: 5000 });
    assert.equal(await serverState(server, B), 'paused');
    assert.equal(await rowB.locator('button[data-action="run"]:visible').count(), 0, 'a paused registry offers resume, not run');
    await act(page, B, 'resume');
    await rowB.locator('[data-state="scheduled"], [data-state="running"]').first().waitFor({ timeout: 5000 });
    assert.notEqual(await serverState(server, B), 'paused');

    // B's history as its runs come in: a new run goes on top, the rows under it stay; a focused link
    // keeps the focus, and the page keeps where it was scrolled to.
    await rowB.locator('a.host').click();
    await page.locator('tr.run').first().waitFor();
    // A finished run's row: a running one is drawn again when it ends (its link with it).
    const link = await page.locator('tr.run:not(.run-running) a').first().elementHandle();
    await link.focus();
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    const scrolled = Number(await page.evaluate('window.scrollY'));
    await newerRunThan(page, await page.locator('tr.run').first().getAttribute('data-run'));
    assert.equal(await focused(link), true, 'the focused run link stays, focused');
    assert.ok(Number(await page.evaluate('window.scrollY')) >= scrolled, 'not scrolled back up');

    // Jobs, newest first, with their targets.
    const jobTo = (target: string) =>
      submitJob(server, {
        source: { endpoint: `http://${f.source.host}/v2`, image: 'dash/tools', ref: 'v1' },
        targets: [{ endpoint: `http://${target}/v2` }],
      });
    const first = await jobTo(f.targetA.host);
    const job = await jobTo(f.targetB.host);
    await page.getByRole('link', { name: 'Jobs' }).click();
    const jobRow = page.locator(`tr.job[data-job="${job}"]`);
    await jobRow.locator('td[data-label="State"] [data-result="finished"]').waitFor({ timeout: 30_000 });
    assert.match((await jobRow.textContent()) ?? '', new RegExp(`dash/tools:v1.*http://${f.targetB.host}/v2`));
    assert.deepEqual(await page.locator('tr.job').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job'))), [job, first]);

    assert.deepEqual(
      urls.filter((url) => !url.startsWith(`${server.url}/`)),
      [],
      'nothing is asked of another host (no CDN)',
    );
    assert.equal(urls.filter((url) => url.includes(TOKEN)).length, 0, 'the token is never in a URL');
    assert.deepEqual(await context.cookies(), [], 'nor in a cookie');
    assert.equal(
      server.rawLines.filter((line) => line.includes(TOKEN)).length + Number(server.stderr.includes(TOKEN)),
      0,
      'nor in the log',
    );
    assert.deepEqual(problems, [], 'no console errors or warnings');
  },
);

test('a history longer than a page: older runs a page at a time, and back', { timeout: 300_000 }, async (t) => {
  const { server, C } = f;
  // C fails every 2 s: wait for more runs than a page holds (20).
  await until(async () => (await server.api(`/api/sync/runs?registry=${C}&limit=20`)).json.next !== null, 'more than 20 runs of C', 90_000);
  const { context, page, problems } = await watchedPage(f.browser);
  t.after(() => context.close());
  await signIn(page, server.url, TOKEN);
  await page.locator(`li.row[data-registry="${C}"] a.host`).click();
  await page.locator('tr.run').first().waitFor();
  assert.equal(await page.locator('tr.run').count(), 20);
  assert.equal(await page.getByRole('button', { name: '← Newer' }).isVisible(), false, 'the first page has nothing newer');
  const shownIds = () => page.locator('tr.run').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-run'))));
  const firstPage = await shownIds();
  // A new run of C goes on top of the first page, live, and pushes its oldest run down to the next
  // page: "older" means older than what the page shows when clicked, not than what it showed before.
  await newerRunThan(page, String(firstPage[0]));
  // The runs shown at the very moment of the click (a listener ahead of the page's own, in the same task).
  await page.evaluate(`document.addEventListener('click', (event) => {
    if (event.target.textContent === 'Older →')
      window.shownAtClick = [...document.querySelectorAll('tr.run')].map((row) => Number(row.dataset.run));
  }, { capture: true })`);
  // The older page is held until C has run twice more (each run refreshes the first page live, and
  // did so before the fix): a live refresh must not win over the click.
  let refreshes = 0;
  let asked: number | undefined;
  let holdFailed: unknown;
  await page.route(/\/api\/sync\/runs\?/, async (route) => {
    try {
      const before = new URL(route.request().url()).searchParams.get('before');
      if (before === null) refreshes += asked === undefined ? 0 : 1;
      else if (asked === undefined) {
        asked = Number(before);
        const runs = server.events('sync-run-finished', C).length;
        await until(() => server.events('sync-run-finished', C).length >= runs + 2, 'two more runs of C', 60_000);
      }
    } catch (error) {
      // Said below, not lost in the route handler (the request would then hang and hide why).
      holdFailed = error;
    } finally {
      await route.continue();
    }
  });
  await page.getByRole('button', { name: 'Older →' }).click();
  const shownAtClick = await page.evaluate<number[]>('window.shownAtClick');
  assert.equal(shownAtClick.length, 20);
  const lastAtClick = shownAtClick.at(-1) ?? NaN;
  assert.ok(lastAtClick > (firstPage.at(-1) ?? NaN), 'the first page had moved on when Older was clicked');
  // What the server holds older than the last run shown at the click (finished runs: they no longer change).
  const older = (await server.api(`/api/sync/runs?registry=${C}&limit=20&before=${lastAtClick}`)).json as {
    runs: Array<{ id: number }>;
  };
  const olderIds = older.runs.map((run) => run.id);
  assert.ok(olderIds.length > 0);
  // The hold above alone may take up to 60 s on a busy machine: the older page gets that and more.
  await until(
    async () => holdFailed ?? JSON.stringify(await shownIds()) === JSON.stringify(olderIds),
    `the older page: runs ${olderIds.join(', ')}`,
    90_000,
  );
  assert.equal(holdFailed, undefined, 'C ran twice while the older page was held');
  assert.equal(asked, lastAtClick, 'the older page starts after the last run shown at the click');
  assert.equal(refreshes, 0, 'no refresh of the first page while the older one loads');
  await page.unroute(/\/api\/sync\/runs\?/);
  assert.equal(await page.locator('tr.run-failed').count(), await page.locator('tr.run').count(), 'every run of C failed');
  await page.getByRole('button', { name: '← Newer' }).click();
  await until(async () => ((await shownIds()).at(-1) ?? 0) >= lastAtClick, 'the first page again');
  assert.deepEqual(problems, []);
});

test('at phone width in dark mode: every page fits the screen, dark', { timeout: 120_000 }, async (t) => {
  const { server, A } = f;
  const { context, page, problems } = await watchedPage(f.browser, {
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    isMobile: true,
    hasTouch: true,
  });
  t.after(() => context.close());
  await signIn(page, server.url, TOKEN);
  await page.locator(`li.row[data-registry="${A}"]`).waitFor();
  const background = String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
  const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
  assert.ok((r ?? 255) + (g ?? 255) + (b ?? 255) < 150, `a dark background: ${background}`);
  assert.equal(await horizontalOverflow(page), 0, 'the overview fits');
  await screenshot(page, f.shots, 'dashboard-phone-dark.png');

  // What it shows, made here (not left by the cases before): C fails on every 2 s tick, B mirrors
  // tools:v1 on every tick, and a job of its own.
  await submitJob(server, {
    source: { endpoint: `http://${f.source.host}/v2`, image: 'dash/tools', ref: 'v1' },
    targets: [{ endpoint: `http://${f.targetA.host}/v2` }],
  });
  const failedRun = await until(
    async () => (await server.api(`/api/sync/runs?registry=${f.C}&failed=true&limit=1`)).json.runs[0],
    'a failed run of C',
    60_000,
  );
  const runOfB = await until(
    async () =>
      (await server.api(`/api/sync/runs?registry=${f.B}&limit=5`)).json.runs.find((run: { result: string }) => run.result === 'succeeded'),
    'a succeeded run of B',
    60_000,
  );
  for (const [hash, ready] of [
    [`#/registry/${f.C}`, 'tr.run'],
    [`#/run/${failedRun.id}`, '.run-error'],
    [`#/run/${runOfB.id}`, 'table.images'],
    ['#/jobs', 'tr.job'],
  ] as const) {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await page.locator(ready).first().waitFor();
    assert.equal(await horizontalOverflow(page), 0, `${hash} fits`);
  }
  assert.deepEqual(problems, []);
});
