// Cancellation by signal, for the faces: GitHub cancels a job with SIGINT, then SIGTERM a few seconds
// later, then kills it; a terminal sends SIGINT on Ctrl-C. The first SIGINT/SIGTERM aborts the gate's
// signal (k6 is stopped gracefully, the remaining scenarios are skipped, the report is still written),
// the second kills k6 at once so the report comes sooner, the third ends the process.
import { stopRunningK6 } from '../k6/runner.js';

export interface Cancellation {
  /** Aborted on the first SIGINT/SIGTERM; hand it to the gate (GateOptions.signal). */
  signal: AbortSignal;
  /** Removes the signal handlers (call when the gate has returned). */
  dispose(): void;
}

/** The process-like object the handlers are registered on (the real `process` by default; a stand-in in tests). */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): never;
}

/** The signals of the registrations in effect: a run started meanwhile is cancelled by them too. */
const active = new Set<AbortSignal>();

/**
 * The cancellation signals registered by `cancelOnSignals` and not disposed yet. `runScenarios` obeys
 * them as well as the signal it is given, so a face that registered the handlers cancels the run even
 * when its options do not carry the signal.
 */
export function activeCancellations(): AbortSignal[] {
  return [...active];
}

/** Registers SIGINT/SIGTERM handlers that cancel the gate; `warn` says what happens on each. */
export function cancelOnSignals(warn: (message: string) => void, proc: SignalSource = process): Cancellation {
  const controller = new AbortController();
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      warn(`perf-gate: ${signal} received: stopping k6 and judging what it wrote (send it again to kill k6 at once)`);
      controller.abort(new Error(`cancelled (${signal})`));
      // Also reaches a run whose face did not hand the signal to the gate.
      stopRunningK6('cancel');
    } else if (received === 2) {
      warn(`perf-gate: ${signal} received again: killing k6 (send it once more to quit without a report)`);
      stopRunningK6('kill');
    } else {
      stopRunningK6('kill');
      proc.exit(signal === 'SIGINT' ? 130 : 143);
    }
  };
  proc.on('SIGINT', handler);
  proc.on('SIGTERM', handler);
  active.add(controller.signal);
  return {
    signal: controller.signal,
    dispose() {
      proc.off('SIGINT', handler);
      proc.off('SIGTERM', handler);
      active.delete(controller.signal);
    },
  };
}
