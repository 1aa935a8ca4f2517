CREATE INDEX IF NOT EXISTS trades_tenant_created_idx ON trades (tenant_id, created_at);
