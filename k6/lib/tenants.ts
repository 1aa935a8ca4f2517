// Tenants and their credentials: PERF_GATE_TENANTS (JSON or `id:key,id:key`), PERF_GATE_TENANTS_FILE
// (a JSON file), or by default the sample service's seeded demo tenants (public demo keys, not secrets).
import { env } from './env.ts';

export interface Tenant {
  id: string;
  apiKey: string;
}

export const DEMO_TENANT_IDS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'] as const;

/** The sample service (examples/alphapulse-api) seeds these five tenants with the key `demo-<tenant>-key`. */
export const DEMO_TENANTS: Tenant[] = DEMO_TENANT_IDS.map((id) => ({ id, apiKey: `demo-${id}-key` }));

function validate(list: unknown, source: string): Tenant[] {
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${source}: expected a non-empty array of {"id","apiKey"}`);
  return list.map((t, i) => {
    const o = t as Record<string, unknown>;
    const id = o.id ?? o.tenant;
    const apiKey = o.apiKey ?? o.api_key ?? o.key;
    if (typeof id !== 'string' || id === '' || typeof apiKey !== 'string' || apiKey === '') {
      throw new Error(`${source}: tenant ${i + 1} needs a string "id" and "apiKey"`);
    }
    return { id, apiKey };
  });
}

/** Parses PERF_GATE_TENANTS: a JSON array, or `acme:key1,globex:key2`. */
export function parseTenants(text: string, source = 'PERF_GATE_TENANTS'): Tenant[] {
  const t = text.trim();
  if (t.startsWith('[')) return validate(JSON.parse(t), source);
  return validate(
    t.split(',').map((pair) => {
      const at = pair.indexOf(':');
      return at > 0 ? { id: pair.slice(0, at).trim(), apiKey: pair.slice(at + 1).trim() } : { id: pair.trim() };
    }),
    source,
  );
}

/** Call in the init context (k6's `open` is only available there). */
export function loadTenants(): Tenant[] {
  const inline = env('PERF_GATE_TENANTS');
  if (inline) return parseTenants(inline);
  const file = env('PERF_GATE_TENANTS_FILE');
  if (file) return validate(JSON.parse(open(file)), file);
  return DEMO_TENANTS;
}

/** VU n (1-based) belongs to tenant (n-1) mod T: 100 VUs over 5 tenants are 20 users each. */
export function tenantForVu(vu: number, tenants: Tenant[]): Tenant {
  return tenants[(Math.max(1, vu) - 1) % tenants.length] as Tenant;
}
