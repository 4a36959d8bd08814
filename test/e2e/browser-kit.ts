import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core, for the dashboard's end-to-end tests. scripts/setup.sh
 * installs the `chromium` package; Playwright's own browser download is never used.
 */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags this machine's closed network needs (no background connections, no sandbox as root). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Each wait of a page ends in this long at most: a broken page fails the test, never hangs it. */
const ACTION_TIMEOUT_MS = 20_000;

/** A headless chromium on a fresh profile (Playwright makes a new --user-data-dir for each launch). */
export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (scripts/setup.sh does)`);
  });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}

/** A page that records every console error and uncaught exception into `problems`. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

/** The page is no wider than its viewport (nothing to scroll sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
}

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/**
 * Where the tests write their screenshots: the README's (docs/screenshots/) when
 * PICTURE_BOOK_SCREENSHOTS=1, else `fallback` (a temp dir), so a test run leaves the work tree as it was.
 */
export async function screenshotDir(fallback: string): Promise<string> {
  const dir = process.env.PICTURE_BOOK_SCREENSHOTS === '1' ? SCREENSHOTS : fallback;
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes a PNG of the page (or of its full length) and returns its bytes. */
export async function screenshot(page: Page, dir: string, name: string, fullPage = false): Promise<Buffer> {
  const png = await page.screenshot({ fullPage, animations: 'disabled', caret: 'hide' });
  await writeFile(join(dir, name), png);
  return png;
}
