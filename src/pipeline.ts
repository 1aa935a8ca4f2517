// The pipeline both faces call: config → run → ingest → evaluate → report. Pure of argv/env/exit codes.
import type { GateOptions, GateResult } from './model.js';

export async function gate(opts: GateOptions): Promise<GateResult> {
  throw new Error(`perf-gate: the pipeline is not assembled yet (thresholds ${opts.thresholds})`);
}
