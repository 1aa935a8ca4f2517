-- The report's classic bottleneck: GET /api/trades without its (tenant_id, created_at) index scans and
-- sorts the whole trades table. Restore with create-trades-index.sql.
DROP INDEX IF EXISTS trades_tenant_created_idx;
