// Filter bars shared by the Tool calls and Blocked pages: labelled inputs whose values become API query parameters.
import { h } from '../dom.js';

export const RANGES = [
  { value: '15m', label: 'last 15 min', ms: 15 * 60_000 },
  { value: '1h', label: 'last hour', ms: 3_600_000 },
  { value: '24h', label: 'last 24 h', ms: 86_400_000 },
  { value: '7d', label: 'last 7 days', ms: 7 * 86_400_000 },
  { value: 'all', label: 'all time', ms: null },
];

/** ms since the epoch for a range value, or undefined for all time. */
export function rangeStart(value, now = Date.now()) {
  const range = RANGES.find((candidate) => candidate.value === value);
  return range?.ms ? now - range.ms : undefined;
}

/** A labelled text input with suggestions (`datalist`) that calls `onChange` as the user types (debounced). */
export function textFilter(testid, label, initial, onChange) {
  const listId = `${testid}-options`;
  let timer = null;
  const input = h('input', {
    id: testid,
    type: 'search',
    value: initial ?? '',
    list: listId,
    'data-testid': testid,
    autocomplete: 'off',
    oninput: () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 300);
    },
    onchange: onChange,
  });
  const options = h('datalist', { id: listId });
  const setOptions = (values) =>
    options.replaceChildren(...[...new Set(values)].sort().map((value) => h('option', { value })));
  return { element: h('label', { class: 'filter' }, label, input, options), input, setOptions };
}

/** A labelled select of `[{value, label}]`. */
export function selectFilter(testid, label, choices, initial, onChange) {
  const select = h(
    'select',
    { id: testid, 'data-testid': testid, onchange: onChange },
    choices.map((choice) =>
      h('option', { value: choice.value, selected: choice.value === initial }, choice.label),
    ),
  );
  return { element: h('label', { class: 'filter' }, label, select), input: select };
}

/** A labelled date-time input; its value as ms since the epoch, or undefined when empty. */
export function timeFilter(testid, label, onChange) {
  const input = h('input', {
    id: testid,
    type: 'datetime-local',
    'data-testid': testid,
    onchange: onChange,
  });
  return {
    element: h('label', { class: 'filter' }, label, input),
    input,
    value: () => (input.value ? new Date(input.value).getTime() : undefined),
  };
}
