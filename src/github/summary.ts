// The job summary: the report in GITHUB_STEP_SUMMARY, within GitHub's limit of 1 MiB (bytes) per step.
// The file is per step, so what this step already wrote counts against the limit.
import { appendFile, stat } from 'node:fs/promises';
import type { GateResult } from '../model.js';
import { maskUrl } from './client.js';

export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** The summary text: `header` then the report, shrunk (by the pipeline, at a row boundary) to fit `limitBytes`. */
export function summaryText(result: GateResult, header: string, note: string, limitBytes = SUMMARY_LIMIT_BYTES): string {
  const full = `${header}\n\n${result.markdown}\n`;
  if (Buffer.byteLength(full, 'utf8') <= limitBytes) return full;
  const overhead = Buffer.byteLength(`${header}\n\n\n`, 'utf8');
  let chars = Math.max(0, limitBytes - overhead);
  for (let i = 0; i < 8; i++) {
    const text = `${header}\n\n${result.markdownWithin(chars, note)}\n`;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= limitBytes) return text;
    // Multi-byte characters (emoji, ≥, ✅): shrink in proportion and try again.
    chars = Math.floor((chars * limitBytes) / bytes) - 64;
  }
  return `${header}\n\n${note}\n`;
}

/** Appends to the step's summary file; returns the number of bytes written. */
export async function writeSummary(path: string, result: GateResult, header: string, note: string): Promise<number> {
  const already = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  // Credentials in URLs never reach the summary (a URL with user:password@ in the report). Masked before it
  // is measured: `?token=a` → `?token=***` grows, and a text cut to the limit must stay within it.
  const masked: GateResult = { ...result, markdown: maskUrl(result.markdown), markdownWithin: (max, n) => maskUrl(result.markdownWithin(max, n)) };
  const text = summaryText(masked, maskUrl(header), note, Math.max(1024, SUMMARY_LIMIT_BYTES - already));
  await appendFile(path, text, 'utf8');
  return Buffer.byteLength(text, 'utf8');
}
