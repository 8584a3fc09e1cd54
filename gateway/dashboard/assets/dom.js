// Building DOM nodes from data without innerHTML: every value becomes a text node, so hosts, paths and tool names chosen by untrusted servers stay text.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `h('td', {'data-testid': 'x'}, 'text', child)`: attributes set one by one, children appended as nodes or text. */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** The same for SVG elements (charts). */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `element` (data changes re-render whole regions, never patch strings). */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/**
 * A table with a header row and one `<tr>` per item; `columns` are `{label, cell(item) → text|Node}`.
 * `testid` names the table, and each row gets `${testid}-row`.
 */
export function table(testid, columns, items, options = {}) {
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      columns.map((column) => h('th', { scope: 'col' }, column.label)),
    ),
  );
  const rows = items.map((item) =>
    h(
      'tr',
      {
        'data-testid': `${testid}-row`,
        class: options.onRowClick ? 'clickable' : null,
        tabindex: options.onRowClick ? '0' : null,
        onclick: options.onRowClick ? () => options.onRowClick(item) : null,
        onkeydown: options.onRowClick
          ? (event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                options.onRowClick(item);
              }
            }
          : null,
      },
      columns.map((column) => h('td', { class: column.className ?? null }, column.cell(item))),
    ),
  );
  const body = h('tbody', {}, rows);
  if (items.length === 0) {
    body.append(
      h(
        'tr',
        { class: 'empty' },
        h('td', { colspan: String(columns.length) }, options.empty ?? 'Nothing yet.'),
      ),
    );
  }
  return h('table', { 'data-testid': testid, class: 'data' }, head, body);
}

/** A labelled big number for the overview cards. */
export function stat(testid, label, value, detail) {
  return h(
    'div',
    { class: 'stat' },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value', 'data-testid': testid }, value),
    detail ? h('div', { class: 'stat-detail' }, detail) : null,
  );
}

/** A coloured pill (state, outcome, decision); the class is chosen from a fixed list, never from data. */
export function badge(text, tone) {
  const tones = ['ok', 'warn', 'bad', 'info', 'muted'];
  return h('span', { class: `badge ${tones.includes(tone) ? tone : 'muted'}` }, text);
}
