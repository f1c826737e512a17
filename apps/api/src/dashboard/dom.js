// DOM building without innerHTML: every string becomes a text node or an attribute value, so names
// and error messages from the API (which users control) can never turn into markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.append(child);
    else node.append(document.createTextNode(String(child)));
  }
}

function applyProps(node, props) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name === 'dataset') {
      for (const [key, v] of Object.entries(value)) node.dataset[key] = String(v);
    } else if (name === 'text') {
      node.textContent = String(value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/** `el('a', { href, class }, 'text', child, [more])`: an HTML element. */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

/** The same for SVG elements. */
export function svgEl(tag, props, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

export function nodes(...children) {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  return fragment;
}

/**
 * A table whose rows are keyed (run id, worker id): a poll rewrites only the cells whose value
 * changed, so a focused button or a selection survives the 2-second refresh.
 * Column: { header, num?, rowHeader?, render(item) → string | Node | array, sig?(item) → string }.
 * Without `sig`, a column's render must return a string (compared as is).
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
  const rows = new Map();

  function update(items, keyOf) {
    const seen = new Set();
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
      columns.forEach((c, i) => {
        const state = row.cells[i];
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
      const expected = previous ? previous.nextSibling : tbody.firstChild;
      if (expected !== row.tr) tbody.insertBefore(row.tr, expected);
      previous = row.tr;
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

export function pct(fraction) {
  return typeof fraction === 'number' && Number.isFinite(fraction)
    ? `${(fraction * 100).toFixed(2)}%`
    : MISSING;
}

export function loss(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return MISSING;
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

export function count(x, digits = 0) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return MISSING;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function dateTime(iso) {
  if (!iso) return MISSING;
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? String(iso)
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return MISSING;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function ago(ms) {
  if (typeof ms !== 'number') return MISSING;
  const s = Math.max(0, (Date.now() - ms) / 1000);
  return s < 90 ? `${Math.round(s)} s ago` : `${duration(s * 1000)} ago`;
}
