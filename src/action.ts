// The Action face: reads inputs, calls the pipeline, sets outputs and the outcome. Nothing runs at import.
import * as core from '@actions/core';

export async function run(): Promise<void> {
  try {
    core.info('perf-gate');
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
