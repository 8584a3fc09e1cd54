// Which URL paths name a file in the assets folder: index, nested modules, and every traversal refused.
import { describe, expect, it } from 'vitest';
import { minuteSeries } from './minute-series.ts';
import { assetPath, contentTypeOf } from './static-assets.ts';

const ROOT = '/srv/assets';

describe('assetPath', () => {
  const cases: [string, string | undefined][] = [
    ['/', '/srv/assets/index.html'],
    ['/index.html', '/srv/assets/index.html'],
    ['/assets/app.js', '/srv/assets/app.js'],
    ['/assets/pages/blocked.js', '/srv/assets/pages/blocked.js'],
    ['/assets/../secret', undefined],
    ['/assets/..%2f..%2fetc%2fpasswd', undefined],
    ['/assets/%2e%2e/x', undefined],
    ['/assets/a%5c..%5c..%5cx', undefined],
    ['/assets/a%00.js', undefined],
    ['/assets/%E0%A4%A', undefined],
    ['/assets/', undefined],
    ['/etc/passwd', undefined],
  ];
  for (const [url, expected] of cases) {
    it(`maps ${url} to ${expected ?? 'nothing'}`, () => {
      expect(assetPath(ROOT, url)).toBe(expected);
    });
  }

  it('types modules, pages and styles', () => {
    expect(contentTypeOf('x/app.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('style.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('blob.bin')).toBe('application/octet-stream');
  });
});

describe('minuteSeries', () => {
  it('counts per minute over the window ending with the current minute', () => {
    const now = 10 * 60_000 + 30_000;
    const series = minuteSeries([now, now - 1, 9 * 60_000, 5 * 60_000, 99 * 60_000], now, 3);
    expect(series).toEqual([
      { minute: 8 * 60_000, count: 0 },
      { minute: 9 * 60_000, count: 1 },
      { minute: 10 * 60_000, count: 2 },
    ]);
  });
});
