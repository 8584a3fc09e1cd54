// The strict exposition reader finds what Prometheus would reject, so a clean result from it means something.
import { describe, expect, it } from 'vitest';
import { readExposition } from './prometheus-exposition.ts';

const head = '# HELP a_total A.\n# TYPE a_total counter\n';

describe('readExposition', () => {
  it('reads a valid family, labels unescaped', () => {
    const { problems, samples } = readExposition(`${head}a_total{x="q\\"\\\\\\n"} 1.5e3\n`);
    expect(problems).toEqual([]);
    expect(samples).toEqual([{ name: 'a_total', labels: { x: 'q"\\\n' }, value: 1500 }]);
  });

  it.each([
    ['a sample without TYPE', 'b 1\n', 'line 1: sample b has no TYPE before it'],
    ['a bad value', `${head}a_total one\n`, "line 3: bad value 'one'"],
    ['an unquoted label', `${head}a_total{x=1} 1\n`, "line 3: bad labels in 'a_total{x=1} 1'"],
    [
      'a raw line break escape',
      `${head}a_total{x="\\t"} 1\n`,
      'line 3: bad labels in \'a_total{x="\\t"} 1\'',
    ],
    ['a duplicate series', `${head}a_total 1\na_total 2\n`, 'line 4: duplicate series a_total{}'],
    ['a second TYPE', `${head}# TYPE a_total counter\n`, 'line 3: second TYPE for a_total'],
    ['no final line break', `${head}a_total 1`, 'the text does not end with a line break'],
    [
      'a split family',
      `${head}a_total 1\n# TYPE b gauge\nb 1\na_total{y="1"} 1\n`,
      'line 6: family a_total appears in two places',
    ],
    [
      'a histogram whose +Inf bucket differs from its count',
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
      'h[]: +Inf bucket differs from _count',
    ],
    [
      'decreasing buckets',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      'h[]: bucket counts decrease',
    ],
  ])('finds %s', (_, text, problem) => {
    expect(readExposition(text).problems).toContain(problem);
  });
});
