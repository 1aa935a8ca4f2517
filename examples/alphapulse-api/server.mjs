// AlphaPulse sample API: a small multi-tenant trading API over PostgreSQL and Redis, the target for
// trying perf-gate. Plain Node (node:http + pg + ioredis), no build step.
//
//   DATABASE_URL=postgres://… REDIS_URL=redis://… node examples/alphapulse-api/server.mjs
//
// Env: PORT (8080), HOST (0.0.0.0), DATABASE_URL, REDIS_URL, PG_POOL_MAX (10), CACHE_TTL_SECONDS (30),
// SETUP=0 to skip creating the schema and seed, DROP_TRADES_INDEX=1 to drop trades(tenant_id, created_at).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';

const here = dirname(fileURLToPath(import.meta.url));
export const TRADES_INDEX = 'trades_tenant_created_idx';

/** Creates the schema, seeds an empty database, and creates or drops the trades index. */
export async function setup(pool, { dropTradesIndex = false, log = () => {} } = {}) {
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } catch (err) {
    log(`pg_stat_statements not created (${err.message}); the slow-query table will say so`);
  }
  await pool.query(await readFile(join(here, 'schema.sql'), 'utf8'));
  await pool.query(await readFile(join(here, 'seed.sql'), 'utf8'));
  const file = dropTradesIndex ? 'drop-trades-index.sql' : 'create-trades-index.sql';
  await pool.query(await readFile(join(here, file), 'utf8'));
  log(dropTradesIndex ? `index ${TRADES_INDEX} dropped: GET /api/trades scans the table` : `index ${TRADES_INDEX} present`);
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 64 * 1024) throw new HttpError(413, 'body too large');
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

function pageParams(url) {
  const page = Number(url.searchParams.get('page') ?? '1');
  const limit = Number(url.searchParams.get('limit') ?? '50');
  if (!Number.isInteger(page) || page < 1) throw new HttpError(400, 'page must be an integer ≥ 1');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'limit must be an integer from 1 to 100');
  return { page, limit, offset: (page - 1) * limit };
}

/**
 * Builds the API. `close()` ends the server, the pool and the Redis client.
 * @param {{ databaseUrl: string, redisUrl: string, poolMax?: number, cacheTtlSeconds?: number }} opts
 */
export function createApp(opts) {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolMax ?? 10, application_name: 'alphapulse-api' });
  pool.on('error', () => {});
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
  redis.on('error', () => {});
  const ttl = opts.cacheTtlSeconds ?? 30;
  /** api_key → tenant id, loaded once (5 tenants). */
  let keys;

  async function authenticate(req) {
    const auth = req.headers.authorization ?? '';
    const tenant = req.headers['x-tenant-id'];
    const m = /^Bearer\s+(\S+)$/.exec(auth);
    if (!m) throw new HttpError(401, 'missing Authorization: Bearer <api key>');
    if (typeof tenant !== 'string' || !tenant) throw new HttpError(401, 'missing X-Tenant-ID');
    keys ??= new Map((await pool.query('SELECT api_key, id FROM tenants')).rows.map((r) => [r.api_key, r.id]));
    const owner = keys.get(m[1]);
    if (!owner) throw new HttpError(401, 'unknown API key');
    // A valid key used for another tenant's data: forbidden.
    if (owner !== tenant) throw new HttpError(403, 'this API key does not belong to the tenant in X-Tenant-ID');
    return owner;
  }

  async function cached(key, load) {
    const hit = await redis.get(key).catch(() => null);
    if (hit !== null) return JSON.parse(hit);
    const value = await load();
    await redis.set(key, JSON.stringify(value), 'EX', ttl).catch(() => undefined);
    return value;
  }

  const routes = {
    'GET /healthz': async () => {
      await pool.query('SELECT 1');
      if ((await redis.ping()) !== 'PONG') throw new HttpError(503, 'redis is not answering');
      return [200, { ok: true }];
    },
    'GET /api/portfolio': async (tenant) => {
      const body = await cached(`portfolio:${tenant}`, async () => {
        const r = await pool.query(
          `SELECT count(*)::int AS positions, coalesce(sum(quantity * market_price), 0)::float8 AS market_value,
                  coalesce(sum(quantity * (market_price - avg_price)), 0)::float8 AS unrealized_pnl
           FROM positions WHERE tenant_id = $1`,
          [tenant],
        );
        return { tenant, ...r.rows[0] };
      });
      return [200, body];
    },
    'GET /api/trades': async (tenant, url) => {
      const { page, limit, offset } = pageParams(url);
      const r = await pool.query(
        `SELECT id, symbol, side, quantity, price::float8 AS price, created_at FROM trades
         WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3`,
        [tenant, limit + 1, offset],
      );
      return [200, { page, limit, hasMore: r.rows.length > limit, items: r.rows.slice(0, limit) }];
    },
    'POST /api/trades': async (tenant, _url, req) => {
      const b = await readJson(req);
      const bad = (msg) => new HttpError(400, msg);
      if (!b || typeof b !== 'object') throw bad('body must be a JSON object');
      if (typeof b.symbol !== 'string' || !/^[A-Z.]{1,10}$/.test(b.symbol)) throw bad('symbol must be 1–10 capital letters');
      if (b.side !== 'buy' && b.side !== 'sell') throw bad('side must be "buy" or "sell"');
      if (!Number.isInteger(b.quantity) || b.quantity <= 0) throw bad('quantity must be a positive integer');
      if (typeof b.price !== 'number' || !(b.price > 0) || b.price > 1e9) throw bad('price must be a positive number');
      const r = await pool.query(
        `INSERT INTO trades (tenant_id, symbol, side, quantity, price) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, symbol, side, quantity, price::float8 AS price, created_at`,
        [tenant, b.symbol, b.side, b.quantity, b.price],
      );
      return [201, r.rows[0]];
    },
    'GET /api/positions': async (tenant, url) => {
      const { page, limit, offset } = pageParams(url);
      const r = await pool.query(
        `SELECT id, symbol, quantity, avg_price::float8 AS avg_price, market_price::float8 AS market_price FROM positions
         WHERE tenant_id = $1 ORDER BY id LIMIT $2 OFFSET $3`,
        [tenant, limit + 1, offset],
      );
      return [200, { page, limit, hasMore: r.rows.length > limit, items: r.rows.slice(0, limit) }];
    },
    'GET /api/signals': async (tenant, url) => {
      const { page, limit, offset } = pageParams(url);
      const body = await cached(`signals:${tenant}:${page}:${limit}`, async () => {
        const r = await pool.query(
          `SELECT id, symbol, action, confidence::float8 AS confidence, created_at FROM signals
           WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3`,
          [tenant, limit + 1, offset],
        );
        return { page, limit, hasMore: r.rows.length > limit, items: r.rows.slice(0, limit) };
      });
      return [200, body];
    },
  };

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const one = /^\/api\/(trades|positions)\/(\d+)$/.exec(url.pathname);
      if (one && req.method === 'GET') {
        const tenant = await authenticate(req);
        const table = one[1];
        const cols = table === 'trades' ? 'id, symbol, side, quantity, price::float8 AS price, created_at' : 'id, symbol, quantity, avg_price::float8 AS avg_price, market_price::float8 AS market_price';
        // Row-level isolation: another tenant's row is indistinguishable from a missing one.
        const r = await pool.query(`SELECT ${cols} FROM ${table} WHERE tenant_id = $1 AND id = $2`, [tenant, one[2]]);
        if (r.rows.length === 0) throw new HttpError(404, `${table.slice(0, -1)} ${one[2]} not found`);
        return send(res, 200, r.rows[0]);
      }
      const route = routes[`${req.method} ${url.pathname}`];
      if (!route) {
        const known = Object.keys(routes).some((k) => k.endsWith(` ${url.pathname}`));
        throw new HttpError(known ? 405 : 404, known ? 'method not allowed' : 'not found');
      }
      const tenant = url.pathname === '/healthz' ? undefined : await authenticate(req);
      const [status, body] = await route(tenant, url, req);
      send(res, status, body);
    } catch (err) {
      if (err instanceof HttpError) send(res, err.status, { error: err.message });
      else send(res, 500, { error: 'internal error' });
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 5000;
  return {
    server,
    pool,
    redis,
    async close() {
      await new Promise((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await pool.end();
      redis.disconnect();
    },
  };
}

async function main() {
  const env = process.env;
  const app = createApp({
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/alphapulse',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    poolMax: Number(env.PG_POOL_MAX ?? 10),
    cacheTtlSeconds: Number(env.CACHE_TTL_SECONDS ?? 30),
  });
  if (env.SETUP !== '0') await setup(app.pool, { dropTradesIndex: env.DROP_TRADES_INDEX === '1', log: (m) => console.log(`alphapulse-api: ${m}`) });
  const port = Number(env.PORT ?? 8080);
  app.server.listen(port, env.HOST ?? '0.0.0.0', () => console.log(`alphapulse-api: listening on :${port}`));
  const stop = () => app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`alphapulse-api: ${err.message}`);
    process.exit(1);
  });
}
