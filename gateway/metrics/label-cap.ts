// Bounded label values: the first N distinct values of a label are kept, every later one becomes "other".

/** The label value that stands for every value past the cap. */
export const OTHER_LABEL = 'other';
/** The label value for an empty or missing value. */
export const UNKNOWN_LABEL = 'unknown';

/**
 * Tool names come from upstream servers and consumer names from agents' headers: each new value would be
 * a new time series, so past the cap they share one.
 */
export function labelCap(max: number): (value: string | null | undefined) => string {
  const seen = new Set<string>();
  return (value) => {
    const label = value === '' || value === null || value === undefined ? UNKNOWN_LABEL : value;
    if (seen.has(label)) return label;
    if (seen.size >= max) return OTHER_LABEL;
    seen.add(label);
    return label;
  };
}
