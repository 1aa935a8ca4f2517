// Regenerates the embedded example: generated k6 output for the load-testing report's two scenarios
// (baseline 100 VUs, target capacity 500 VUs), shortened to a tenth of their length, in k6's exact
// `--out json` format. These are made by the project's fixture generator, not measured.
//   npm run examples
import { mkdirSync } from 'node:fs';
import { loadTestSpec, writeK6Fixture } from '../src/k6/fixtures.js';

const SCALE = 0.1;
mkdirSync('examples/runs', { recursive: true });
for (const name of ['baseline', 'target-capacity'] as const) {
  const spec = loadTestSpec(name, SCALE);
  // A fixed start time keeps the files byte-for-byte reproducible.
  spec.startNs = BigInt(Date.UTC(2026, 10, 2, 14, name === 'baseline' ? 0 : 30, 0)) * 1_000_000n;
  spec.offsetMinutes = 0;
  spec.baseUrl = 'https://pr-128.preview.alphapulse.example';
  // A healthy pull request: a few 5xx, one tenant slower than the others (its p99 reads marginal).
  spec.errorRate = 0.0004;
  spec.transportErrorRate = 0.0001;
  if (name === 'target-capacity') for (const e of spec.endpoints) e.p99Ms = Math.min(e.p99Ms, 440);
  const out = `examples/runs/${name}.ndjson.gz`;
  const { bytes } = await writeK6Fixture(spec, out, { answers: false });
  process.stderr.write(`${out}: ${(bytes / 1e6).toFixed(1)} MB of generated k6 NDJSON (scenario ${spec.scenario}, scale ${SCALE})\n`);
}
