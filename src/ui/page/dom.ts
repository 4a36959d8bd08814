/** Building the page: elements from data, never HTML text (names and error messages come from registries). */

export type Child = Node | string | number | null | undefined | false | Child[];
type Listener = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | undefined | null | Listener>;

function apply(element: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, attrs);
  append(element, children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  apply(element, attrs);
  append(element, children);
  return element;
}

export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Fills `slot` only when `key` differs from what it shows: the parts of a page that did not change
 * keep their elements, so focus, a text selection or a click on them is never lost to a redraw.
 */
export function keyed(slot: HTMLElement, key: string, render: () => Child): void {
  if (slot.dataset.key === key) return;
  slot.dataset.key = key;
  fill(slot, render());
}

/**
 * Makes `elements` the children of `parent`, in order, without touching those already in place:
 * moving a node (even to where it was) takes the focus out of it. Anything else is removed first, so
 * a row replaced by a new element (a run that ended) does not push the rows after it to be moved.
 */
export function arrange(parent: Element, elements: Element[]): void {
  const keep = new Set(elements);
  for (const child of [...parent.children]) if (!keep.has(child)) child.remove();
  elements.forEach((element, i) => {
    const at = parent.children[i];
    if (at !== element) parent.insertBefore(element, at ?? null);
  });
}

/**
 * A list drawn from `items`: an item whose `version` did not change keeps its element (see arrange),
 * so a new run at the top of a history leaves the rows under it, and a link focused in them, alone.
 */
export function reconcile<T>(
  parent: Element,
  items: T[],
  id: (item: T) => string,
  version: (item: T) => string,
  render: (item: T) => HTMLElement,
): void {
  const shown = new Map<string, HTMLElement>();
  for (const child of parent.children) if (child instanceof HTMLElement && child.dataset.item) shown.set(child.dataset.item, child);
  const elements = items.map((item) => {
    const [key, current] = [id(item), version(item)];
    const existing = shown.get(key);
    shown.delete(key); // a key twice in `items` gets a second element
    if (existing?.dataset.version === current) return existing;
    const element = render(item);
    element.dataset.item = key;
    element.dataset.version = current;
    return element;
  });
  arrange(parent, elements);
}
