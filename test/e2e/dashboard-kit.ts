import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startFaultProxy, startRegistry, type BuiltImage, type FaultProxy, type TestRegistry } from '../harness/index.js';
import { launchChromium, screenshotDir } from './browser-kit.js';
import { dockerImage, ociImage } from './fixtures.js';
import { apiPort, startSync, writeConfig, type SyncProcess } from './sync-kit.js';

/**
 * What the dashboard's browser tests run against: the real `picture-book sync` and real registries.
 * A mirrors three images through a fault proxy that can hold a blob mid-stream (one image does not
 * exist: its run fails); B mirrors one image every 2 seconds; C's syncer script fails every 2 seconds.
 */
export interface DashboardFixture {
  source: TestRegistry;
  targetA: TestRegistry;
  targetB: TestRegistry;
  proxy: FaultProxy;
  app: BuiltImage;
  server: SyncProcess;
  browser: Browser;
  home: string;
  shots: string;
  A: string;
  B: string;
  C: string;
  /** Rewrites the configuration (the server reloads it): with or without A's missing image. */
  configure(withMissing: boolean): Promise<void>;
  close(): Promise<void>;
}

export const TOKEN = 'dashboard-test-token-5b2e';
const C = '127.0.0.1:9';

export async function startDashboardFixture(): Promise<DashboardFixture> {
  const [source, targetA, targetB] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  const proxy = await startFaultProxy(source);
  const [app] = await Promise.all([pushImage(ociImage, source, 'dash/app:v1'), pushImage(dockerImage, source, 'dash/tools:v1')]);
  const home = await makeTempDir('dashboard');
  await writeFile(join(home, 'list-images.sh'), '#!/bin/sh\necho "the catalog service is down" >&2\nexit 3\n', { mode: 0o755 });
  const port = await apiPort();
  const config = (withMissing: boolean) => ({
    registries: [
      // Once a year: runs only when asked. One image at a time, so a held blob holds the run.
      {
        hostname: targetA.host,
        repository: 'mirror',
        images: [`${proxy.host}/dash/app:v1`, `${proxy.host}/dash/tools:v1`, ...(withMissing ? [`${proxy.host}/dash/missing:v1`] : [])],
        syncPeriod: '0 0 1 1 *',
        concurrency: 1,
      },
      { hostname: targetB.host, repository: 'mirror', images: [`${source.host}/dash/tools:v1`], syncPeriod: '*/2 * * * * *' },
      { hostname: C, syncerScript: './list-images.sh', syncPeriod: '*/2 * * * * *' },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(home, 'state', 'picture-book.db') },
    sync: { runOnStart: false, timezone: 'Europe/Berlin' },
  });
  const configFile = await writeConfig(home, config(true));
  const fixture: Partial<DashboardFixture> = { source, targetA, targetB, proxy, app, home, A: targetA.host, B: targetB.host, C };
  fixture.close = async () => {
    await fixture.browser?.close();
    proxy.clearFaults();
    proxy.release();
    await fixture.server?.kill();
    await proxy.close();
    await Promise.all([source.stop(), targetA.stop(), targetB.stop()]);
  };
  fixture.configure = async (withMissing) => {
    await writeConfig(home, config(withMissing));
  };
  try {
    fixture.shots = await screenshotDir(join(home, 'screenshots'));
    fixture.server = await startSync(configFile, { port, token: TOKEN, cwd: home });
    fixture.browser = await launchChromium();
  } catch (error) {
    await fixture.close();
    throw error;
  }
  return fixture as DashboardFixture;
}

export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Clicks an action of a registry's row and answers its confirmation. */
export async function act(
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

/** The state of a registry as the server's list says it. */
export async function serverState(server: SyncProcess, registry: string): Promise<string | undefined> {
  const { synchronizers } = (await server.api('/list?type=active')).json as { synchronizers: Array<{ hostname: string; state: string }> };
  return synchronizers.find((s) => s.hostname === registry)?.state;
}
