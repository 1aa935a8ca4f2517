// Recording stand-ins for k6's JavaScript modules (k6, k6/http, k6/metrics), for running the scenario
// scripts under Node in tests. Everything a script does is appended to `recorder`; HTTP answers come from
// `recorder.respond(method, url, body, params)`. One recorder per process (kept on globalThis), so a
// test that re-imports the scripts with fresh module instances still sees what they did.
const KEY = Symbol.for('perf-gate.k6-stand-in.recorder');
export const recorder = (globalThis[KEY] ??= {
  requests: [],
  checks: [],
  samples: [],
  sleeps: [],
  /** Default: 200 with a JSON body (201 for POST). */
  respond: (method) => ({ status: method === 'POST' ? 201 : 200, headers: { 'Content-Type': 'application/json' }, duration: 12.5 }),
  reset() {
    this.requests.length = 0;
    this.checks.length = 0;
    this.samples.length = 0;
    this.sleeps.length = 0;
  },
});
