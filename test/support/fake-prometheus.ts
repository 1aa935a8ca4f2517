// A local HTTP server speaking the Prometheus HTTP API's shapes (instant `query`, `query_range`) for
// tests: `answer` picks each instant query's vector; ranges are one series of a constant value.
import { createServer, type Server } from 'node:http';

export interface FakePrometheus {
  url: string;
  /** Every query asked, in order. */
  queries: string[];
  /** The most requests it was answering at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export interface FakePrometheusOptions {
  /** The instant query's result vector at `time` (epoch s); undefined (or no `answer`): one series of value 1. */
  answer?: (query: string, time: number) => { metric: Record<string, string>; value: number }[] | undefined;
  /** The value of the one series every query_range returns, one point a second. */
  rangeValue: number;
  /** Answers each request after this many ms (a slow Prometheus). */
  delayMs?: number;
}

/**
 * The body of a query_range answer: one series of `value` from the request's start to its end, every
 * `step` seconds (default: the request's own step), with `extra` fields beside `data` (`warnings`).
 */
export function matrixBody(u: URL, value: number | string, extra: Record<string, unknown> = {}, step = Number(u.searchParams.get('step')?.replace(/s$/, '') ?? 1)): string {
  const start = Number(u.searchParams.get('start'));
  const end = Number(u.searchParams.get('end'));
  const values: [number, string][] = [];
  for (let t = start; t <= end; t += step) values.push([t, String(value)]);
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] }, ...extra });
}

export async function startFakePrometheus(opts: FakePrometheusOptions): Promise<FakePrometheus> {
  const queries: string[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = u.searchParams.get('query') ?? '';
    queries.push(query);
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    if (opts.delayMs) setTimeout(() => answer(u, query, res), opts.delayMs);
    else answer(u, query, res);
  });
  const answer = (u: URL, query: string, res: import('node:http').ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (u.pathname === '/api/v1/query_range') {
      res.end(matrixBody(u, opts.rangeValue, {}, 1));
      return;
    }
    const time = Number(u.searchParams.get('time'));
    const vector = opts.answer?.(query, time) ?? [{ metric: {}, value: 1 }];
    const result = vector.map((v) => ({ metric: v.metric, value: [time, String(v.value)] }));
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return {
    url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    queries,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
