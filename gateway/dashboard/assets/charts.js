// Small inline SVG charts (bars per minute, lines over time) drawn from plain numbers; no library, nothing fetched.
import { h, s } from './dom.js';

const WIDTH = 320;
const HEIGHT = 90;
const PAD = 4;

/**
 * Bars for a series of `{t, value}` points (t: ms since the epoch). `label` names the chart for screen
 * readers and the tooltip of each bar says its minute and value.
 */
export function barChart(testid, label, points, tone = 'info') {
  const max = Math.max(1, ...points.map((point) => point.value));
  const slot = (WIDTH - 2 * PAD) / Math.max(points.length, 1);
  const bars = points.map((point, index) => {
    const height = ((HEIGHT - 2 * PAD) * point.value) / max;
    return s(
      'rect',
      {
        class: `bar ${tone}`,
        x: (PAD + index * slot + slot * 0.1).toFixed(1),
        y: (HEIGHT - PAD - height).toFixed(1),
        width: Math.max(slot * 0.8, 1).toFixed(1),
        height: Math.max(height, point.value > 0 ? 1 : 0).toFixed(1),
      },
      s('title', {}, `${minuteLabel(point.t)}: ${point.value}`),
    );
  });
  return frame(testid, label, max, [baseline(), ...bars]);
}

/** One line per series: `[{name, points: [{t, value}]}]`, sharing the time and value axes. */
export function lineChart(testid, label, series) {
  const all = series.flatMap((line) => line.points);
  if (all.length === 0) return h('p', { class: 'muted', 'data-testid': testid }, 'No data yet.');
  const minT = Math.min(...all.map((point) => point.t));
  const maxT = Math.max(...all.map((point) => point.t));
  const max = Math.max(1, ...all.map((point) => point.value));
  const x = (t) => PAD + ((WIDTH - 2 * PAD) * (t - minT)) / Math.max(maxT - minT, 1);
  const y = (value) => HEIGHT - PAD - ((HEIGHT - 2 * PAD) * value) / max;
  const lines = series.map((line, index) =>
    s(
      'polyline',
      {
        class: `line c${index % 6}`,
        points: line.points
          .map((point) => `${x(point.t).toFixed(1)},${y(point.value).toFixed(1)}`)
          .join(' '),
      },
      s('title', {}, line.name),
    ),
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    series.map((line, index) =>
      h('li', {}, h('span', { class: `swatch c${index % 6}` }), line.name),
    ),
  );
  return h('div', {}, frame(testid, label, max, [baseline(), ...lines]), legend);
}

function frame(testid, label, max, children) {
  return h(
    'figure',
    { class: 'chart' },
    s(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        role: 'img',
        'aria-label': label,
        'data-testid': testid,
        preserveAspectRatio: 'none',
      },
      s('title', {}, label),
      children,
    ),
    h('figcaption', {}, `${label} (max ${max})`),
  );
}

function baseline() {
  return s('line', { class: 'axis', x1: PAD, x2: WIDTH - PAD, y1: HEIGHT - PAD, y2: HEIGHT - PAD });
}

function minuteLabel(t) {
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** Counts items per minute over the last `minutes` minutes, oldest first (empty minutes count 0). */
export function perMinute(times, minutes = 30, now = Date.now()) {
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - (minutes - 1) * 60_000;
  const counts = new Array(minutes).fill(0);
  for (const t of times) {
    const index = Math.floor((t - start) / 60_000);
    if (index >= 0 && index < minutes) counts[index] += 1;
  }
  return counts.map((value, index) => ({ t: start + index * 60_000, value }));
}
