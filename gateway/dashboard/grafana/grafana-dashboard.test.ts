// The shipped Grafana dashboard and Prometheus scrape example: valid JSON model, and every query names a metric Airlock exports.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPromtool } from '../../../test/support/promtool.ts';

const here = import.meta.dirname;
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's import placeholder, literal on purpose.
const DATASOURCE_UID = '${DS_PROMETHEUS}';
const root = join(here, '..', '..', '..');

interface Target {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}
interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos?: { x: number; y: number; w: number; h: number };
  readonly targets?: readonly Target[];
}
interface DashboardModel {
  readonly __inputs?: readonly { name: string; type: string; pluginId: string }[];
  readonly title?: string;
  readonly uid?: string;
  readonly schemaVersion?: number;
  readonly panels: readonly Panel[];
}

const dashboard = JSON.parse(
  readFileSync(join(here, 'airlock-dashboard.json'), 'utf8'),
) as DashboardModel;

/** The metric names as the two metric modules declare them (read as text: gateway/ must not import egress/). */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const file of ['egress/egress-metrics.ts', 'gateway/metrics/gateway-metrics.ts']) {
    const source = readFileSync(join(root, file), 'utf8');
    for (const match of source.matchAll(/:\s*'(airlock_[a-z0-9_]+)'/g)) names.add(match[1] ?? '');
  }
  return names;
}

/** `airlock_…` identifiers in a query, with the histogram series suffixes mapped back to the metric. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bairlock_[a-z0-9_]+/g)].map((match) =>
    match[0].replace(/_(bucket|sum|count)$/, ''),
  );
}

/** Grafana's variables replaced by values Prometheus accepts, so promtool can parse the query. */
function asPlainPromql(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__range', '1h')
    .replaceAll('$server', '.*');
}

const targets = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title ?? '?', expr: target.expr ?? '' })),
);

describe('the Grafana dashboard', () => {
  it('asks for a Prometheus datasource input and uses it on every panel and query', () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    ]);
    for (const panel of dashboard.panels) {
      expect(panel.datasource, panel.title).toEqual({
        type: 'prometheus',
        uid: DATASOURCE_UID,
      });
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe(DATASOURCE_UID);
      }
    }
  });

  it('is a well-formed model: title, uid, unique panel ids, grid positions inside 24 columns', () => {
    expect(dashboard.title).toBe('Airlock');
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos, panel.title).toBeDefined();
      const grid = panel.gridPos ?? { x: 0, y: 0, w: 0, h: 0 };
      expect(grid.x + grid.w, panel.title).toBeLessThanOrEqual(24);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('references only metrics the gateway and egress export, in every query', () => {
    const exported = exportedMetricNames();
    // The grep must find both modules' names, or the check below would pass on nothing.
    expect(exported).toContain('airlock_tool_calls_total');
    expect(exported).toContain('airlock_egress_requests_total');
    expect(targets.length).toBeGreaterThan(0);
    for (const { panel, expr } of targets) {
      const used = metricsIn(expr);
      expect(used.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const metric of used) expect(exported, `${panel}: ${metric}`).toContain(metric);
    }
  });

  it('covers tool call latency, error rate per server, top 10 tools, egress by provider and blocked calls', () => {
    const all = targets.map((target) => target.expr).join('\n');
    expect(all).toMatch(
      /histogram_quantile\(0\.95, sum by \(le, server\) \(rate\(airlock_tool_call_duration_seconds_bucket/,
    );
    expect(all).toMatch(
      /sum by \(server\) \(rate\(airlock_tool_calls_total\{[^}]*outcome=~"error\|tool-error"/,
    );
    expect(all).toMatch(/topk\(10, sum by \(server, tool\)/);
    expect(all).toMatch(/sum by \(provider[^)]*\) \(rate\(airlock_egress_requests_total/);
    expect(all).toMatch(/airlock_egress_blocked_total/);
  });

  it('has queries Prometheus parses (promtool check rules), once Grafana variables are filled in', () => {
    const promtool = findPromtool();
    if (promtool === undefined) return;
    const dir = mkdtempSync(join(tmpdir(), 'airlock-grafana-'));
    try {
      const rules = [
        'groups:',
        '  - name: grafana-panels',
        '    rules:',
        ...targets.map(
          ({ expr }, index) =>
            `      - record: airlock:panel_query_${index}\n        expr: ${JSON.stringify(asPlainPromql(expr))}`,
        ),
      ].join('\n');
      const file = join(dir, 'rules.yml');
      writeFileSync(file, `${rules}\n`);
      const output = execFileSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
      expect(output).toContain(`SUCCESS: ${targets.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Prometheus scrape example', () => {
  it('scrapes /metrics on 127.0.0.1:3000', () => {
    const text = readFileSync(join(here, 'prometheus.yml'), 'utf8');
    expect(text).toMatch(/metrics_path: \/metrics/);
    expect(text).toContain('"127.0.0.1:3000"');
  });

  it('is a configuration promtool accepts', () => {
    const promtool = findPromtool();
    if (promtool === undefined) return;
    const output = execFileSync(promtool, ['check', 'config', join(here, 'prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(output).toContain('SUCCESS');
  });
});
