// @ts-check
// DOM building without innerHTML: every string becomes a text node or an attribute value, so names
// and error messages from the API (which users control) can never turn into markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * What may stand as a child: nodes, text (strings and numbers), nested lists; null, undefined and
 * false are skipped so that `cond ? x : null` reads naturally.
 * @typedef {Node | string | number | null | undefined | false | ChildList} Child
 */
/** @typedef {readonly Child[]} ChildList */

/**
 * Attributes by name (true: present and empty; null, undefined, false: absent), plus `on` (event
 * listeners), `dataset` and `text` (textContent).
 * @typedef {{ on?: Record<string, EventListener>, dataset?: Record<string, unknown> | null, text?: unknown, [attribute: string]: unknown }} Props
 */

/**
 * @param {Node} node
 * @param {Child[]} children
 */
function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * @param {HTMLElement | SVGElement} node
 * @param {Props | null | undefined} props
 */
function applyProps(node, props) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(/** @type {Record<string, EventListener>} */ (value)))
        node.addEventListener(event, handler);
    } else if (name === 'dataset') {
      for (const [key, v] of Object.entries(/** @type {Record<string, unknown>} */ (value)))
        node.dataset[key] = String(v);
    } else if (name === 'text') {
      node.textContent = String(value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/**
 * `el('a', { href, class }, 'text', child, [more])`: an HTML element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props | null} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

/**
 * The same for SVG elements.
 * @param {string} tag
 * @param {Props | null} [props]
 * @param {...Child} children
 * @returns {SVGElement}
 */
export function svgEl(tag, props, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

/**
 * @param {...Child} children
 * @returns {DocumentFragment}
 */
export function nodes(...children) {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  return fragment;
}

/**
 * @template T
 * @typedef {object} Column
 * @property {string} header
 * @property {boolean} [num] right-aligned number
 * @property {boolean} [rowHeader] the cell is the row's header (th scope=row)
 * @property {string} [field] `data-field` of the cells (for tests and styles)
 * @property {(item: T) => Child} render
 * @property {(item: T) => string} [sig] when it is unchanged, the cell is left as it is
 */

/**
 * A table whose rows are keyed (run id, worker id): a poll rewrites only the cells whose value
 * changed, so a focused button or a selection survives the 2-second refresh.
 * Without `sig`, a column's render must return a string (compared as is).
 * @template T
 * @param {{ label: string, caption?: string, columns: Column<T>[], empty: string }} options
 * @returns {{ element: HTMLElement, update: (items: T[], keyOf: (item: T) => string) => void }}
 */
export function keyedTable({ label, caption, columns, empty }) {
  const tbody = el('tbody');
  const table = el(
    'table',
    {},
    caption ? el('caption', {}, caption) : null,
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        columns.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : null }, c.header)),
      ),
    ),
    tbody,
  );
  // Focusable so keyboard users can scroll a table wider than the screen.
  const wrap = el('div', { class: 'table-wrap', role: 'region', 'aria-label': label, tabindex: 0 }, table);
  const emptyRow = el('tr', { class: 'empty' }, el('td', { colspan: columns.length }, empty));
  /** @type {Map<string, { tr: HTMLTableRowElement, cells: { cell: HTMLElement, sig: string | undefined }[] }>} */
  const rows = new Map();

  /**
   * @param {T[]} items
   * @param {(item: T) => string} keyOf
   */
  function update(items, keyOf) {
    const seen = new Set();
    /** @type {Node | null} */
    let previous = null;
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      let row = rows.get(key);
      if (!row) {
        const tr = el('tr', { dataset: { key } });
        const cells = columns.map((c) => {
          const cell = el(c.rowHeader ? 'th' : 'td', {
            scope: c.rowHeader ? 'row' : null,
            class: c.num ? 'num' : null,
            dataset: c.field ? { field: c.field } : null,
          });
          tr.append(cell);
          return { cell, sig: undefined };
        });
        row = { tr, cells };
        rows.set(key, row);
      }
      const current = row;
      columns.forEach((c, i) => {
        const state = current.cells[i];
        if (!state) return;
        if (c.sig) {
          const sig = c.sig(item);
          if (sig === state.sig) return;
          state.sig = sig;
          state.cell.replaceChildren(nodes(c.render(item)));
        } else {
          const text = String(c.render(item));
          if (text === state.sig) return;
          state.sig = text;
          state.cell.textContent = text;
        }
      });
      /** @type {ChildNode | null} */
      const expected = previous ? previous.nextSibling : tbody.firstChild;
      if (expected !== current.tr) tbody.insertBefore(current.tr, expected);
      previous = current.tr;
    }
    for (const [key, row] of rows) {
      if (!seen.has(key)) {
        row.tr.remove();
        rows.delete(key);
      }
    }
    if (rows.size === 0 && !emptyRow.isConnected) tbody.append(emptyRow);
    if (rows.size > 0 && emptyRow.isConnected) emptyRow.remove();
  }

  return { element: wrap, update };
}

// ---- formatting ----

export const MISSING = '—';

/** @param {unknown} fraction */
export function pct(fraction) {
  return typeof fraction === 'number' && Number.isFinite(fraction)
    ? `${(fraction * 100).toFixed(2)}%`
    : MISSING;
}

/** @param {unknown} x */
export function loss(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return MISSING;
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/**
 * @param {unknown} x
 * @param {number} [digits]
 */
export function count(x, digits = 0) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return MISSING;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** @param {string | null | undefined} iso */
export function dateTime(iso) {
  if (!iso) return MISSING;
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? String(iso)
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** @param {unknown} ms */
export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return MISSING;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** @param {unknown} ms */
export function ago(ms) {
  if (typeof ms !== 'number') return MISSING;
  const s = Math.max(0, (Date.now() - ms) / 1000);
  return s < 90 ? `${Math.round(s)} s ago` : `${duration(s * 1000)} ago`;
}
