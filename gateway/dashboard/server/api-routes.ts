// The JSON API: one GET route per page's data; query parameters parsed and checked here, data built in api-views.ts.
import type { AuditOutcome } from '../../audit/audit-record.ts';
import { type ApiResponse, type ApiSources, apiError, json } from './api-sources.ts';
import { agentsView, configView, outboundView, overviewView, serversView } from './api-views.ts';

const OUTCOMES: ReadonlySet<string> = new Set(['ok', 'tool-error', 'error', 'denied', 'cancelled']);
const DEFAULT_BLOCKED_WINDOW_MS = 24 * 3_600_000;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_LIMIT = 1_000;

class BadQuery extends Error {
  readonly code = 'DASHBOARD_BAD_QUERY';
}

/** `15m`/`24h`/`7d` before now, an ISO date, or ms since the epoch. */
export function parseTime(text: string, now: number): number {
  const relative = /^(\d+)([smhd])$/.exec(text);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  if (/^\d{10,}$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new BadQuery(`'${text}' is not a time (15m, 24h, ISO date, ms)`);
  return parsed;
}

function optional(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

function positiveInt(params: URLSearchParams, name: string, max: number): number | undefined {
  const text = optional(params, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new BadQuery(`${name} must be a positive integer`);
  return Math.min(Number(text), max);
}

function time(params: URLSearchParams, name: string, now: number): number | undefined {
  const text = optional(params, name);
  return text === undefined ? undefined : parseTime(text, now);
}

function calls(sources: ApiSources, params: URLSearchParams): ApiResponse {
  const now = sources.now();
  const outcome = optional(params, 'outcome');
  if (outcome !== undefined && !OUTCOMES.has(outcome)) {
    throw new BadQuery(`outcome must be one of ${[...OUTCOMES].join(', ')}`);
  }
  const agent = optional(params, 'agent');
  const server = optional(params, 'server');
  const since = time(params, 'since', now);
  const until = time(params, 'until', now);
  const limit = positiveInt(params, 'limit', MAX_LIMIT);
  const before = positiveInt(params, 'before', Number.MAX_SAFE_INTEGER);
  const rows = sources.audit.query({
    ...(agent === undefined ? {} : { consumer: agent }),
    ...(server === undefined ? {} : { server }),
    ...(outcome === undefined ? {} : { outcome: outcome as AuditOutcome }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(limit === undefined ? {} : { limit }),
    ...(before === undefined ? {} : { beforeId: before }),
  });
  return json(200, { calls: rows });
}

function call(sources: ApiSources, idText: string): ApiResponse {
  if (!/^\d+$/.test(idText)) return apiError(400, 'DASHBOARD_BAD_QUERY', 'a call id is a number');
  const row = sources.audit.get(Number(idText));
  if (row === undefined) return apiError(404, 'DASHBOARD_NOT_FOUND', `no call ${idText}`);
  const verdict = sources.audit.verify();
  // The chain up to this row holds when the whole chain holds, or when the first fault lies after it.
  const verified = verdict.ok || (verdict.firstBadId !== null && row.id < verdict.firstBadId);
  return json(200, { call: row, verified });
}

function blocked(sources: ApiSources, params: URLSearchParams): ApiResponse {
  const now = sources.now();
  const since = time(params, 'since', now) ?? now - DEFAULT_BLOCKED_WINDOW_MS;
  const server = optional(params, 'server');
  const format = optional(params, 'format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new BadQuery('format must be json or csv');
  const records = sources.telemetry.blocked({
    since,
    ...(server === undefined ? {} : { server }),
  });
  const disposition = `attachment; filename="airlock-blocked.${format}"`;
  if (format === 'csv') {
    return {
      status: 200,
      contentType: 'text/csv; charset=utf-8',
      body: sources.telemetry.formatBlocked(records, 'csv'),
      headers: { 'content-disposition': disposition },
    };
  }
  if (params.get('download') === '1') {
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: sources.telemetry.formatBlocked(records, 'json'),
      headers: { 'content-disposition': disposition },
    };
  }
  return json(200, { since, blocked: records });
}

/** The response for `GET <path>?<query>` under /api, or undefined when no route matches. */
export async function routeApi(
  sources: ApiSources,
  path: string,
  params: URLSearchParams,
): Promise<ApiResponse | undefined> {
  try {
    const server = optional(params, 'server');
    switch (path) {
      case '/api/overview':
        return json(200, overviewView(sources));
      case '/api/servers':
        return json(200, await serversView(sources));
      case '/api/agents':
        return json(200, agentsView(sources));
      case '/api/calls':
        return calls(sources, params);
      case '/api/outbound':
        return json(200, outboundView(sources, server));
      case '/api/outbound/endpoints': {
        const provider = optional(params, 'provider');
        const endpoints = sources.telemetry.endpoints({
          ...(server === undefined ? {} : { server }),
          ...(provider === undefined ? {} : { provider }),
        });
        return json(200, { endpoints });
      }
      case '/api/outbound/records': {
        const provider = optional(params, 'provider');
        const limit = positiveInt(params, 'limit', MAX_LIMIT) ?? 100;
        const records = sources.telemetry.records({
          ...(server === undefined ? {} : { server }),
          ...(provider === undefined ? {} : { provider }),
          limit,
        });
        return json(200, { records });
      }
      case '/api/blocked':
        return blocked(sources, params);
      case '/api/config':
        return json(200, await configView(sources));
    }
    const one = /^\/api\/calls\/([^/]+)$/.exec(path);
    if (one?.[1] !== undefined) return call(sources, one[1]);
    return undefined;
  } catch (error) {
    if (error instanceof BadQuery) return apiError(400, error.code, error.message);
    throw error;
  }
}
