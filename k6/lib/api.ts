// The AlphaPulse API calls of the scenarios: each request carries the `endpoint` and `tenant` tags, is
// checked, and feeds its custom trend and the `errors` rate.
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { check } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { apiName, apiUrl, pagination } from './env.ts';
import type { Tenant } from './tenants.ts';

export type Endpoint = 'portfolio' | 'trades' | 'positions' | 'create_trade' | 'signals';

/** Share of iterations per endpoint, in percent (sums to 100). */
export type Mix = Partial<Record<Endpoint, number>>;

export const portfolioLatency = new Trend('portfolio_latency', true);
export const tradesLatency = new Trend('trades_latency', true);
export const positionsLatency = new Trend('positions_latency', true);
export const createTradeLatency = new Trend('create_trade_latency', true);
export const signalLatency = new Trend('signal_latency', true);
export const errors = new Rate('errors');

const TRENDS: Record<Endpoint, Trend> = {
  portfolio: portfolioLatency,
  trades: tradesLatency,
  positions: positionsLatency,
  create_trade: createTradeLatency,
  signals: signalLatency,
};

/** Per-request timeout: a hung request counts as an error instead of stalling the VU. */
export const REQUEST_TIMEOUT = '10s';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'TSLA', 'META', 'JPM'];

function headers(tenant: Tenant, json: boolean): Record<string, string> {
  const h: Record<string, string> = { Authorization: `Bearer ${tenant.apiKey}`, 'X-Tenant-ID': tenant.id, Accept: 'application/json' };
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

function record(endpoint: Endpoint, tenant: Tenant, res: RefinedResponse<ResponseType | undefined>, expected: number[]): boolean {
  const tags = { endpoint, tenant: tenant.id };
  const ok = check(
    res,
    {
      [`${endpoint}: status ${expected.join('/')}`]: (r) => expected.includes(r.status),
      [`${endpoint}: JSON body`]: (r) => {
        const type = r.headers['Content-Type'] ?? r.headers['content-type'] ?? '';
        return type.includes('json');
      },
    },
    tags,
  );
  TRENDS[endpoint].add(res.timings.duration, tags);
  errors.add(!ok, tags);
  return ok;
}

function params(endpoint: Endpoint, tenant: Tenant, name: string, json = false) {
  return { headers: headers(tenant, json), tags: { endpoint, tenant: tenant.id, name }, timeout: REQUEST_TIMEOUT };
}

function page(): string {
  const { limit, maxPage } = pagination();
  return `page=${randomInt(1, maxPage)}&limit=${limit}`;
}

export function getPortfolio(base: string, tenant: Tenant): boolean {
  const res = http.get(apiUrl(base, '/api/portfolio'), params('portfolio', tenant, apiName(base, '/api/portfolio')));
  return record('portfolio', tenant, res, [200]);
}

export function getTrades(base: string, tenant: Tenant): boolean {
  const res = http.get(apiUrl(base, '/api/trades', page()), params('trades', tenant, apiName(base, '/api/trades', '?page=&limit=')));
  return record('trades', tenant, res, [200]);
}

export function getPositions(base: string, tenant: Tenant): boolean {
  const res = http.get(apiUrl(base, '/api/positions', page()), params('positions', tenant, apiName(base, '/api/positions', '?page=&limit=')));
  return record('positions', tenant, res, [200]);
}

export function createTrade(base: string, tenant: Tenant): boolean {
  const body = JSON.stringify({
    symbol: SYMBOLS[randomInt(0, SYMBOLS.length - 1)],
    side: Math.random() < 0.5 ? 'buy' : 'sell',
    quantity: randomInt(1, 100),
    price: Math.round((50 + Math.random() * 450) * 100) / 100,
  });
  const res = http.post(apiUrl(base, '/api/trades'), body, params('create_trade', tenant, apiName(base, '/api/trades'), true));
  return record('create_trade', tenant, res, [200, 201]);
}

export function getSignals(base: string, tenant: Tenant): boolean {
  const res = http.get(apiUrl(base, '/api/signals', page()), params('signals', tenant, apiName(base, '/api/signals', '?page=&limit=')));
  return record('signals', tenant, res, [200]);
}

export const CALLS: Record<Endpoint, (base: string, tenant: Tenant) => boolean> = {
  portfolio: getPortfolio,
  trades: getTrades,
  positions: getPositions,
  create_trade: createTrade,
  signals: getSignals,
};

/** The endpoint for a uniform random number `r` in [0, 1) under `mix`. */
export function pickEndpoint(mix: Mix, r: number): Endpoint {
  const entries = Object.entries(mix) as [Endpoint, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [endpoint, weight] of entries) {
    if (x < weight) return endpoint;
    x -= weight;
  }
  return (entries[entries.length - 1] as [Endpoint, number])[0];
}
