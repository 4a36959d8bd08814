import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, watchedPage } from './browser-kit.js';

/**
 * The dashboard's list drawing (src/ui/page/dom.ts) in a real browser, on lists shaped as the live
 * updates shape them: focus and identity of the rows that did not change are what is checked, since
 * a moved node loses the focus even when it lands where it was.
 */

const DOM_TS = fileURLToPath(new URL('../../../src/ui/page/dom.ts', import.meta.url));

let browser: Browser;
let page: Page;
before(async () => {
  const bundle = await build({
    entryPoints: [DOM_TS],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'pageDom',
    logLevel: 'warning',
  });
  browser = await launchChromium();
  ({ page } = await watchedPage(browser));
  await page.setContent('<table><tbody id="rows"></tbody></table>');
  await page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' });
  await page.addScriptTag({ content: PAGE_HELPERS });
});
after(() => (browser as Browser | undefined)?.close());

interface Row {
  id: string;
  state: string;
}

/**
 * In the page, beside the bundle: `draw(rows)` draws into #rows with the page's reconcile (one link
 * per row, version = its state); `markAndFocus(id)` marks every row element (a property, not an
 * attribute) and focuses row `id`'s link; `shown()` lists the rows, `*` after one that is not the
 * element marked before, and the run whose link has the focus. Plain JS: this tsconfig has no DOM types.
 */
const PAGE_HELPERS = `
  window.draw = (items) => pageDom.reconcile(document.getElementById('rows'), items, (row) => row.id, (row) => row.state,
    (row) => pageDom.h('tr', { 'data-run': row.id }, pageDom.h('td', {}, pageDom.h('a', { href: '#/run/' + row.id }, row.id + ' ' + row.state))));
  window.markAndFocus = (id) => {
    for (const row of document.querySelectorAll('#rows tr')) row.mark = true;
    document.querySelector('#rows tr[data-run="' + id + '"] a').focus();
  };
  window.shown = () => ({
    rows: [...document.querySelectorAll('#rows tr')].map((row) => row.dataset.run + (row.mark ? '' : '*')),
    focused: document.activeElement?.closest('tr')?.dataset.run ?? null,
  });`;

interface Helpers {
  draw(rows: Row[]): void;
  markAndFocus(id: string): void;
  shown(): { rows: string[]; focused: string | null };
}
// The functions below run in the page: they name globalThis there, never a variable of this module.
const draw = (rows: Row[]) => page.evaluate((items) => (globalThis as unknown as Helpers).draw(items), rows);
const markAndFocus = (id: string) => page.evaluate((focusId) => (globalThis as unknown as Helpers).markAndFocus(focusId), id);
const shown = () => page.evaluate(() => (globalThis as unknown as Helpers).shown());

test('a run that ends while a newer one arrives on top: the rows under them keep their elements and the focus', async () => {
  await draw([
    { id: '7', state: 'running' },
    { id: '6', state: 'finished' },
    { id: '5', state: 'failed' },
    { id: '4', state: 'finished' },
  ]);
  await markAndFocus('6');
  // One live update: run 8 starts, run 7 ended (a new element), and the page keeps 4 rows.
  await draw([
    { id: '8', state: 'running' },
    { id: '7', state: 'finished' },
    { id: '6', state: 'finished' },
    { id: '5', state: 'failed' },
  ]);
  assert.deepEqual(await shown(), { rows: ['8*', '7*', '6', '5'], focused: '6' }, 'new elements marked *; 6 and 5 untouched');
});

test('rows dropped from the middle and the end, and one redrawn in place, leave the others alone', async () => {
  await draw([
    { id: 'a', state: '1' },
    { id: 'b', state: '1' },
    { id: 'c', state: '1' },
    { id: 'd', state: '1' },
    { id: 'e', state: '1' },
  ]);
  await markAndFocus('d');
  await draw([
    { id: 'a', state: '2' },
    { id: 'c', state: '1' },
    { id: 'd', state: '1' },
  ]);
  assert.deepEqual(await shown(), { rows: ['a*', 'c', 'd'], focused: 'd' });
});

test('a list put in another order shows that order, and an empty list empties it', async () => {
  await draw([
    { id: 'x', state: '1' },
    { id: 'y', state: '1' },
    { id: 'z', state: '1' },
  ]);
  await markAndFocus('y');
  await draw([
    { id: 'z', state: '1' },
    { id: 'x', state: '1' },
    { id: 'y', state: '1' },
  ]);
  assert.deepEqual((await shown()).rows, ['z', 'x', 'y']);
  await draw([]);
  assert.deepEqual(await shown(), { rows: [], focused: null });
});
