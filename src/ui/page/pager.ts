import { h } from './dom.js';

/**
 * "← Newer" and "Older →", made once: loading a page changes where they lead and whether they show,
 * never the buttons themselves (a focused one keeps the focus while the list under it updates live).
 */
export class Pager<Cursor> {
  readonly element: HTMLElement;
  /** Cursors of the pages before the one shown or being loaded (empty on the first). */
  cursors: Cursor[] = [];
  #next: Cursor | null = null;
  readonly #newer: HTMLButtonElement;
  readonly #older: HTMLButtonElement;

  constructor(load: (cursors: Cursor[]) => void) {
    const button = (label: string, onclick: () => void) =>
      h('button', { type: 'button', class: 'secondary', hidden: true, onclick }, label);
    this.#newer = button('← Newer', () => load(this.cursors.slice(0, -1)));
    this.#older = button('Older →', () => this.#next !== null && load([...this.cursors, this.#next]));
    this.element = h('div', { class: 'pager' }, this.#newer, this.#older);
  }

  /** The page shown now: reached through `cursors`, with `next` leading to older entries (null: none). */
  update(cursors: Cursor[], next: Cursor | null): void {
    this.cursors = cursors;
    this.#next = next;
    this.#newer.hidden = cursors.length === 0;
    this.#older.hidden = next === null;
  }
}
