-- AlphaPulse sample API: multi-tenant schema. Every table carries tenant_id; every query filters on it.

-- pg_stat_statements (for the slow-query table) is created by setup when the server preloads it.
CREATE TABLE IF NOT EXISTS tenants (
  id      text PRIMARY KEY,
  name    text NOT NULL,
  api_key text NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS users (
  id        bigserial PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  email     text NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS trades (
  id         bigserial PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES tenants (id),
  symbol     text NOT NULL,
  side       text NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity   integer NOT NULL CHECK (quantity > 0),
  price      numeric(12, 2) NOT NULL CHECK (price > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The index GET /api/trades needs; scripts/drop-trades-index.sql (or DROP_TRADES_INDEX=1) removes it.
CREATE INDEX IF NOT EXISTS trades_tenant_created_idx ON trades (tenant_id, created_at);

CREATE TABLE IF NOT EXISTS positions (
  id           bigserial PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants (id),
  symbol       text NOT NULL,
  quantity     integer NOT NULL,
  avg_price    numeric(12, 2) NOT NULL,
  market_price numeric(12, 2) NOT NULL
);
CREATE INDEX IF NOT EXISTS positions_tenant_idx ON positions (tenant_id, id);

CREATE TABLE IF NOT EXISTS signals (
  id         bigserial PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES tenants (id),
  symbol     text NOT NULL,
  action     text NOT NULL CHECK (action IN ('buy', 'sell', 'hold')),
  confidence numeric(4, 3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS signals_tenant_created_idx ON signals (tenant_id, created_at);
