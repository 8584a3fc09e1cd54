// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every problem it finds, as a sentence.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  readonly types: ReadonlyMap<string, string>;
  readonly problems: readonly string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function readExposition(text: string): Exposition {
  const problems: string[] = [];
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const finished = new Set<string>();
  const seriesSeen = new Set<string>();
  let current: string | undefined;
  if (text !== '' && !text.endsWith('\n')) problems.push('the text does not end with a line break');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();

  const enter = (family: string, line: number): void => {
    if (family === current) return;
    if (current !== undefined) finished.add(current);
    if (finished.has(family)) problems.push(`line ${line}: family ${family} appears in two places`);
    current = family;
  };

  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
    if (meta) {
      const [, keyword, name = '', rest = ''] = meta;
      if (!METRIC_NAME.test(name)) problems.push(`line ${line}: bad metric name '${name}'`);
      enter(name, line);
      if (keyword === 'HELP') {
        if (helps.has(name)) problems.push(`line ${line}: second HELP for ${name}`);
        helps.add(name);
      } else {
        if (types.has(name)) problems.push(`line ${line}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) problems.push(`line ${line}: unknown type '${rest}'`);
        if (samples.some((s) => familyOf(s.name, types) === name))
          problems.push(`line ${line}: TYPE for ${name} after its samples`);
        types.set(name, rest);
      }
      return;
    }
    if (raw.startsWith('#')) return;
    const sample = parseSample(raw);
    if (typeof sample === 'string') {
      problems.push(`line ${line}: ${sample}`);
      return;
    }
    const family = familyOf(sample.name, types);
    if (family === undefined) {
      problems.push(`line ${line}: sample ${sample.name} has no TYPE before it`);
      return;
    }
    enter(family, line);
    const key = `${sample.name}{${Object.entries(sample.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (seriesSeen.has(key)) problems.push(`line ${line}: duplicate series ${key}`);
    seriesSeen.add(key);
    samples.push(sample);
  });
  problems.push(...histogramProblems(samples, types));
  return { samples, types, problems };
}

/** The family a sample belongs to: its own name, or its name less a suffix its family's type allows. */
function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  for (const [family, type] of types) {
    for (const suffix of SUFFIXES[type] ?? ['']) if (name === family + suffix) return family;
  }
  return undefined;
}

function parseSample(raw: string): Sample | string {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(raw);
  if (!head) return `bad sample line '${raw}'`;
  const name = head[1]!;
  let rest = raw.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([^=]*)="((?:[^"\\\n]|\\[\\"n])*)"(,?)/.exec(rest);
      if (!label) return `bad labels in '${raw}'`;
      const [whole, labelName = '', escaped = '', comma] = label;
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__'))
        return `bad label name '${labelName}'`;
      if (labelName in labels) return `label ${labelName} twice`;
      labels[labelName] = escaped.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(whole.length);
      if (comma === '' && !rest.startsWith('}')) return `missing comma in '${raw}'`;
    }
    rest = rest.slice(1);
  }
  const value = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!value) return `bad value part in '${raw}'`;
  const text = value[1]!;
  const number =
    text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : text === 'NaN' ? NaN : Number(text);
  if (
    !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]Inf$|^NaN$/.test(text) ||
    (Number.isNaN(number) && text !== 'NaN')
  )
    return `bad value '${text}'`;
  return { name, labels, value: number };
}

/** Buckets ascend in `le`, counts never decrease, and the `+Inf` bucket equals `_count`. */
function histogramProblems(
  samples: readonly Sample[],
  types: ReadonlyMap<string, string>,
): string[] {
  const problems: string[] = [];
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, { le: number; value: number }[]>();
    const counts = new Map<string, number>();
    for (const sample of samples) {
      const { le, ...rest } = sample.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      if (sample.name === `${family}_bucket`) {
        if (le === undefined) problems.push(`${family}_bucket without le`);
        const bound = le === '+Inf' ? Infinity : Number(le);
        series.set(key, [...(series.get(key) ?? []), { le: bound, value: sample.value }]);
      } else if (sample.name === `${family}_count`) counts.set(key, sample.value);
    }
    for (const [key, buckets] of series) {
      for (let i = 1; i < buckets.length; i += 1) {
        if (buckets[i]!.le <= buckets[i - 1]!.le) problems.push(`${family}${key}: le out of order`);
        if (buckets[i]!.value < buckets[i - 1]!.value)
          problems.push(`${family}${key}: bucket counts decrease`);
      }
      const last = buckets.at(-1);
      if (last?.le !== Infinity) problems.push(`${family}${key}: no +Inf bucket`);
      else if (counts.get(key) !== last.value)
        problems.push(`${family}${key}: +Inf bucket differs from _count`);
    }
  }
  return problems;
}
