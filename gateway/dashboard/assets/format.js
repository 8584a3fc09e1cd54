// Turning API values into short readable text: times, durations, byte counts, rates.

export function time(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const date = new Date(ms);
  const today = new Date();
  const clock = date.toLocaleTimeString([], { hour12: false });
  return date.toDateString() === today.toDateString()
    ? clock
    : `${date.toISOString().slice(0, 10)} ${clock}`;
}

/** "12 s ago", "3 min ago": for "since" and "last seen" columns. */
export function ago(ms, now = Date.now()) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function bytes(count) {
  if (typeof count !== 'number' || !Number.isFinite(count)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function percent(part, whole) {
  if (!whole) return '0%';
  return `${((100 * part) / whole).toFixed(part === 0 ? 0 : 1)}%`;
}

export function number(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString() : '—';
}

/** `flow/processor`, or `(default)` when the egress default or the address guard decided. */
export function flowLabel(record) {
  if (!record?.flow) return '(default)';
  return record.processor ? `${record.flow}/${record.processor}` : record.flow;
}

/** An API answer that is either a bare list or `{key: [...]}` (or `{items: [...]}`). */
export function listOf(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}
