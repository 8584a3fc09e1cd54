// Per-minute counts over a trailing window, for the dashboard's charts (pure).

export interface MinutePoint {
  /** Start of the minute, ms since the epoch. */
  readonly minute: number;
  readonly count: number;
}

export const MINUTE_MS = 60_000;

/** `minutes` consecutive buckets ending with the one holding `now`; times outside the window are ignored. */
export function minuteSeries(times: Iterable<number>, now: number, minutes: number): MinutePoint[] {
  const last = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const first = last - (minutes - 1) * MINUTE_MS;
  const counts = new Array<number>(minutes).fill(0);
  for (const time of times) {
    if (time < first || time >= last + MINUTE_MS) continue;
    const index = Math.floor((time - first) / MINUTE_MS);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((count, index) => ({ minute: first + index * MINUTE_MS, count }));
}
