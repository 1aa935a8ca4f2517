-- Seed data as in the load-testing report's appendix: 5 tenants, 10 users (2 per tenant), and per tenant
-- 1,000 trades, 100 positions and 50 signals. Deterministic (no random()); runs only on an empty database.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM tenants) THEN
    RETURN;
  END IF;

  INSERT INTO tenants (id, name, api_key) VALUES
    ('acme', 'Acme Capital', 'demo-acme-key'),
    ('globex', 'Globex Trading', 'demo-globex-key'),
    ('initech', 'Initech Asset Management', 'demo-initech-key'),
    ('umbrella', 'Umbrella Partners', 'demo-umbrella-key'),
    ('hooli', 'Hooli Ventures', 'demo-hooli-key');

  INSERT INTO users (tenant_id, email)
  SELECT t.id, u.n || '@' || t.id || '.example'
  FROM tenants t CROSS JOIN (VALUES ('trader'), ('analyst')) AS u (n);

  INSERT INTO trades (tenant_id, symbol, side, quantity, price, created_at)
  SELECT t.id,
         (ARRAY['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'TSLA', 'META', 'JPM'])[1 + (g * 7 + t.k) % 8],
         CASE WHEN (g + t.k) % 2 = 0 THEN 'buy' ELSE 'sell' END,
         1 + (g * 13 + t.k) % 100,
         round((50 + ((g * 37 + t.k * 11) % 45000) / 100.0)::numeric, 2),
         timestamptz '2026-01-01 00:00:00+00' + (g * 97 + t.k) * interval '1 minute'
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM tenants) t
  CROSS JOIN generate_series(1, 1000) g;

  INSERT INTO positions (tenant_id, symbol, quantity, avg_price, market_price)
  SELECT t.id,
         'SYM' || lpad(g::text, 3, '0'),
         10 + (g * 17 + t.k) % 500,
         round((20 + ((g * 53 + t.k) % 30000) / 100.0)::numeric, 2),
         round((20 + ((g * 59 + t.k * 3) % 30000) / 100.0)::numeric, 2)
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM tenants) t
  CROSS JOIN generate_series(1, 100) g;

  INSERT INTO signals (tenant_id, symbol, action, confidence, created_at)
  SELECT t.id,
         (ARRAY['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'TSLA', 'META', 'JPM'])[1 + (g + t.k) % 8],
         (ARRAY['buy', 'sell', 'hold'])[1 + (g * 5 + t.k) % 3],
         round(((g * 31 + t.k) % 1000) / 1000.0, 3),
         timestamptz '2026-03-01 00:00:00+00' + (g * 61 + t.k) * interval '1 minute'
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM tenants) t
  CROSS JOIN generate_series(1, 50) g;

  ANALYZE;
END
$$;
