// The flags of `perf-gate run`, as data (for help text and the Action's input mapping) and a pure parser.
import { parseArgs } from 'node:util';
import { InputError } from '../errors.js';
import type { GateOptions } from '../model.js';
import { parseDurationMs } from '../k6/duration.js';
import { DEFAULT_K6_VERSION, MIN_K6_VERSION } from '../k6/install.js';
import { DEFAULT_PREFLIGHT, DEFAULT_RUN_TIMEOUT_SECONDS } from './run.js';

export interface RunFlag {
  /** Long name without the dashes. */
  name: string;
  type: 'string' | 'boolean';
  /** May be given several times. */
  multiple?: boolean;
  /** Placeholder in the usage text. */
  value?: string;
  short?: string;
  description: string;
}


export const RUN_FLAGS: readonly RunFlag[] = [
  { name: 'thresholds', type: 'string', value: 'FILE', description: 'thresholds.yml (default: thresholds.yml)' },
  { name: 'base-url', type: 'string', value: 'URL', description: 'the environment under test; k6 gets it as BASE_URL (required)' },
  { name: 'scenario', type: 'string', multiple: true, value: 'NAME', description: 'run only this scenario (repeatable; default: every scenario of the thresholds file that has a script)' },
  { name: 'k6-path', type: 'string', value: 'PATH', description: 'use this k6 executable instead of PATH or a download' },
  { name: 'k6-version', type: 'string', value: 'V', description: `k6 release to use, downloaded unless that version is on PATH (default: a k6 on PATH of v${MIN_K6_VERSION} or later, else ${DEFAULT_K6_VERSION})` },
  { name: 'k6-download-base', type: 'string', value: 'URL', description: 'mirror of https://github.com/grafana/k6/releases/download (GitHub Enterprise)' },
  { name: 'env', type: 'string', multiple: true, value: 'K=V', description: 'extra environment for the k6 scripts (repeatable), e.g. PERF_GATE_SCALE=0.1' },
  { name: 'tag', type: 'string', multiple: true, value: 'K=V', description: 'tag every k6 sample (repeatable), e.g. commit=abc123' },
  { name: 'timeout', type: 'string', value: 'DURATION', description: `stop a scenario's k6 run after this long (default: ${DEFAULT_RUN_TIMEOUT_SECONDS / 60}m); the results so far are judged, marked incomplete` },
  { name: 'preflight-path', type: 'string', value: 'PATH', description: `URL path polled before any load (default: ${DEFAULT_PREFLIGHT.path})` },
  { name: 'preflight-status', type: 'string', value: 'CODE', description: `HTTP status the preflight waits for (default: ${DEFAULT_PREFLIGHT.expectStatus})` },
  { name: 'preflight-timeout', type: 'string', value: 'DURATION', description: `give up when the environment does not answer within this (default: ${DEFAULT_PREFLIGHT.timeoutSeconds}s)` },
  { name: 'execution-segment', type: 'string', value: 'SEG', description: "this runner's share of a distributed run, e.g. 0:1/4 (k6 --execution-segment)" },
  { name: 'execution-segment-sequence', type: 'string', value: 'SEQ', description: 'all shares of the distributed run, e.g. 0,1/4,1/2,3/4,1' },
  { name: 'out-dir', type: 'string', value: 'DIR', description: 'write the k6 output files and the reports (report.md, report.json) here (default: k6 output in a temporary directory, no report files)' },
  { name: 'confirm-failures', type: 'boolean', description: 'noise guard: rerun a scenario that fails the gate once; it fails only if the rerun fails too' },
  { name: 'baseline', type: 'string', value: 'FILE', description: 'a JSON report of an earlier run, for relative thresholds' },
  { name: 'fail-on', type: 'string', value: 'fail|marginal', description: 'which status fails the gate (default: from the thresholds file)' },
  { name: 'json', type: 'string', value: 'OUT', description: 'write the JSON report here' },
  { name: 'markdown', type: 'string', value: 'OUT', description: 'write the Markdown report here' },
  { name: 'quiet', type: 'boolean', short: 'q', description: 'do not print the report on stdout' },
  { name: 'help', type: 'boolean', short: 'h', description: 'show this help' },
];

/** The option lines of `perf-gate run` for the usage text. */
export const RUN_USAGE = RUN_FLAGS.map((f) => {
  const head = `--${f.name}${f.value ? ` ${f.value}` : ''}${f.short ? `, -${f.short}` : ''}`;
  return `        ${head.padEnd(38)} ${f.description}`;
}).join('\n');

export interface RunFlags {
  help: boolean;
  thresholds?: string;
  scenarios: string[];
  baseUrl?: string;
  k6: NonNullable<GateOptions['k6']>;
  failOn?: string;
  confirmFailures: boolean;
  baseline?: string;
  outDir?: string;
  json?: string;
  markdown?: string;
  quiet: boolean;
}

const HINT = "see 'perf-gate --help'";

function pairs(values: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InputError(`--${flag} '${v}' is not KEY=VALUE`, undefined, `write --${flag} NAME=value`);
    const key = v.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      throw new InputError(`--${flag} '${v}': '${key}' is not a valid name`, undefined, 'use letters, digits, _ . and -, not starting with a digit');
    }
    out[key] = v.slice(eq + 1);
  }
  return out;
}

function seconds(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new InputError(`--${flag} '${text}' is not a duration`, undefined, 'write e.g. 90s, 15m, 1h30m or a number of seconds');
  return ms / 1000;
}

/** The options `perf-gate run` accepts (node:util parseArgs form), built from RUN_FLAGS. */
export const RUN_OPTIONS: Readonly<Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>> = Object.fromEntries(
  RUN_FLAGS.map((f) => [f.name, { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) }]),
);

/** One value of a k6 execution segment: `1/4`, `0.25`, `25%` (k6's stringToRat). */
const SEG_VALUE = '(?:\\d+(?:\\/\\d+)?|\\d*\\.\\d+|\\d+(?:\\.\\d+)?%)';
const SEGMENT = new RegExp(`^${SEG_VALUE}(?::${SEG_VALUE})?$`);
const SEG_VALUE_ONLY = new RegExp(`^${SEG_VALUE}$`);

/** A k6 execution-segment value (`1/4`, `0.25`, `25%`, `3`) as a number; NaN for `n/0`. */
function fraction(text: string): number {
  const t = text.trim();
  if (t.endsWith('%')) return Number(t.slice(0, -1)) / 100;
  const [n, d] = t.split('/');
  return d === undefined ? Number(n) : Number(d) === 0 ? Number.NaN : Number(n) / Number(d);
}

/**
 * Checks k6's --execution-segment (`from:to`, or `to` for `0:to`, each 0–1 with from < to) and
 * --execution-segment-sequence (ascending 0–1 values holding the segment's ends) before anything
 * starts: k6 would refuse them only after the preflight and the k6 download. `prefix` is how the face
 * names them (`--` for CLI flags, '' for the Action's inputs).
 */
export function checkSegment(seg: string | undefined, seq: string | undefined, prefix: string): void {
  const segName = `${prefix}execution-segment`;
  const seqName = `${prefix}execution-segment-sequence`;
  let ends: [number, number] | undefined;
  if (seg !== undefined) {
    if (!SEGMENT.test(seg)) throw new InputError(`${segName} '${seg}' is not a segment`, undefined, 'write e.g. 0:1/4 or 1/4:2/4');
    const parts = seg.split(':');
    const [from, to] = parts.length === 1 ? [0, fraction(parts[0]!)] : [fraction(parts[0]!), fraction(parts[1]!)];
    if (!(from >= 0 && to <= 1 && from < to)) {
      throw new InputError(`${segName} '${seg}' is not a share of the run: it must go from a start to a larger end, both between 0 and 1`, undefined, 'write e.g. 0:1/4, 1/4:2/4 … 3/4:1');
    }
    ends = [from, to];
  }
  if (seq !== undefined) {
    if (seg === undefined) throw new InputError(`${seqName} needs ${segName}`, undefined, `give this runner its share, e.g. ${segName} 0:1/4`);
    const values = seq.split(',').map((p) => p.trim());
    if (!values.every((p) => SEG_VALUE_ONLY.test(p))) {
      throw new InputError(`${seqName} '${seq}' is not a sequence`, undefined, 'write e.g. 0,1/4,1/2,3/4,1');
    }
    const nums = values.map(fraction);
    if (!nums.every((v, i) => v >= 0 && v <= 1 && (i === 0 || v > nums[i - 1]!))) {
      throw new InputError(`${seqName} '${seq}' must rise from 0 towards 1`, undefined, 'write e.g. 0,1/4,1/2,3/4,1');
    }
    // k6 takes a segment that is one step of the sequence: from one of its values to the next
    const at = ends ? nums.findIndex((v) => Math.abs(v - ends[0]) < 1e-9) : -1;
    if (ends && !(at >= 0 && at + 1 < nums.length && Math.abs(nums[at + 1]! - ends[1]) < 1e-9)) {
      throw new InputError(`${segName} '${seg}' is not one step of ${seqName} '${seq}' (from one of its values to the next)`, undefined, 'give every runner a segment between two neighbouring values of the sequence, e.g. 1/4:2/4 of 0,1/4,1/2,3/4,1');
    }
  }
}

/** Parses the arguments after `perf-gate run`. Throws InputError on a bad or missing flag. */
export function parseRunFlags(argv: string[]): RunFlags {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: argv, options: RUN_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error), undefined, HINT);
  }
  const str = (name: string) => values[name] as string | undefined;
  const list = (name: string) => values[name] as string[] | undefined;
  const help = values.help === true;
  if (help) return { help, scenarios: [], k6: {}, quiet: false, confirmFailures: false };

  const baseUrl = str('base-url');
  if (!baseUrl) throw new InputError('run needs --base-url URL (the environment to load)', undefined, 'add --base-url https://preview.example.com');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InputError(`--base-url '${baseUrl}' is not a URL`, undefined, 'write it with the scheme, e.g. https://preview.example.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`--base-url '${baseUrl}' is not http(s)`, undefined, 'use an http:// or https:// URL');
  }
  if (str('k6-path') && str('k6-version')) {
    throw new InputError('--k6-path and --k6-version exclude each other', undefined, 'give the executable or the version to download, not both');
  }

  const k6: NonNullable<GateOptions['k6']> = {};
  if (str('k6-path')) k6.path = str('k6-path');
  if (str('k6-version')) {
    const v = (str('k6-version') as string).replace(/^v/, '');
    if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v)) throw new InputError(`--k6-version '${str('k6-version')}' is not a release version`, undefined, `write e.g. --k6-version ${DEFAULT_K6_VERSION}`);
    k6.version = v;
  }
  if (str('k6-download-base')) k6.downloadBase = str('k6-download-base');
  const env = pairs(list('env'), 'env');
  if (env) k6.env = env;
  const tags = pairs(list('tag'), 'tag');
  if (tags) k6.tags = tags;
  const timeout = seconds(str('timeout'), 'timeout');
  if (timeout !== undefined) k6.timeoutSeconds = timeout;

  const pPath = str('preflight-path');
  const pStatus = str('preflight-status');
  const pTimeout = seconds(str('preflight-timeout'), 'preflight-timeout');
  if (pStatus !== undefined && !/^[1-5]\d\d$/.test(pStatus)) {
    throw new InputError(`--preflight-status '${pStatus}' is not an HTTP status`, undefined, 'write e.g. --preflight-status 200');
  }
  if (pPath !== undefined && !pPath.startsWith('/')) {
    throw new InputError(`--preflight-path '${pPath}' must start with /`, undefined, 'write e.g. --preflight-path /healthz');
  }
  k6.preflight = {
    path: pPath ?? DEFAULT_PREFLIGHT.path,
    expectStatus: pStatus !== undefined ? Number(pStatus) : DEFAULT_PREFLIGHT.expectStatus,
    timeoutSeconds: pTimeout ?? DEFAULT_PREFLIGHT.timeoutSeconds,
  };

  const seg = str('execution-segment');
  const seq = str('execution-segment-sequence');
  checkSegment(seg, seq, '--');
  if (seg !== undefined) k6.executionSegment = seg;
  if (seq !== undefined) k6.executionSegmentSequence = seq.replace(/\s+/g, '');

  const out: RunFlags = { help, scenarios: list('scenario') ?? [], baseUrl, k6, quiet: values.quiet === true, confirmFailures: values['confirm-failures'] === true };
  for (const [key, flag] of [
    ['thresholds', 'thresholds'],
    ['failOn', 'fail-on'],
    ['baseline', 'baseline'],
    ['outDir', 'out-dir'],
    ['json', 'json'],
    ['markdown', 'markdown'],
  ] as const) {
    const v = str(flag);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
