// The typed values that flow through the pipeline:
//   config (Config) → run (RunRecord) → ingest (Results) → evaluate (Evaluation) → report (GateReport) → publish.
// Every stage takes and returns these; nothing here does I/O.

// ───────────────────────────── k6 metrics ─────────────────────────────

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** What a metric's values measure: ms for `time`, bytes for `data`, a plain number for `default`. */
export type Contains = 'time' | 'data' | 'default';

export interface MetricInfo {
  name: string;
  type: MetricType;
  contains: Contains;
  /** Set when the output has no Metric line for it (a custom metric read as a trend of plain numbers). */
  typeUnknown?: true;
}

/** A k6 sub-metric tag filter (`endpoint:trades`); `value: '*'` expands to every value seen. */
export interface TagFilter {
  key: string;
  value: string;
}

/** A metric key as written in thresholds.yml, e.g. `http_req_duration{endpoint:trades,tenant:acme}`. */
export interface MetricSelector {
  /** The key exactly as written (tag filter included). */
  raw: string;
  metric: string;
  tags: TagFilter[];
}

/** A time interval in epoch milliseconds, `start` inclusive, `end` exclusive. */
export interface TimeWindow {
  start: number;
  end: number;
}

// ───────────────────────────── thresholds.yml ─────────────────────────────

export type Status = 'pass' | 'marginal' | 'fail' | 'no-data';
export type Verdict = 'APPROVED' | 'CONDITIONALLY_APPROVED' | 'NOT_APPROVED';
export type NoDataPolicy = 'pass' | 'warn' | 'fail';
export type WindowMode = 'all' | 'steady';
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export type Aggregation =
  | { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' }
  /** `p(N)`, N in (0, 100], fractional allowed (`p(99.9)`). */
  | { kind: 'p'; p: number };

export interface Expression {
  /** As written, e.g. `p(99)<500` or `p(99)<+10%`. */
  text: string;
  aggregation: Aggregation;
  operator: Operator;
  /** The limit; for a relative expression the allowed change (10 for `+10%`, 0.005 for `+0.005`). */
  value: number;
  /** Relative to a baseline run: `percent` for `<+10%`, `absolute` for `<+0.005`. Absent: a fixed limit. */
  relative?: 'percent' | 'absolute';
}

export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/** One limit on one metric key, with the policies that apply to it (defaults already resolved). */
export interface ThresholdRule {
  selector: MetricSelector;
  expression: Expression;
  /** Marginal band as a fraction (0.1 for 10%). */
  marginal: number;
  noData: NoDataPolicy;
  window: WindowMode;
  /** Seconds excluded at the start of the run (warm-up). */
  warmupSeconds: number;
  /** `warn`: reported, never fails the gate. */
  severity: 'error' | 'warn';
  /** Relative limits only: an absolute change (in the metric's unit) below which a move never fails. */
  minChange?: number;
  /** k6's `abortOnFail: true` as written in the expression object: not acted on (the evaluation notes it). */
  abortOnFail?: boolean;
  pos: SourcePos;
}

export interface ScenarioConfig {
  name: string;
  /** k6 script, relative to the thresholds file's directory. */
  script?: string;
  /** Rules declared under this scenario (without the top-level ones; see `rulesFor`). */
  rules: ThresholdRule[];
  /** Extra environment for the k6 run. */
  env: Record<string, string>;
  /** This scenario's evaluation window and warm-up, when set (otherwise the top-level ones apply). */
  window?: WindowMode;
  warmupSeconds?: number;
  pos: SourcePos;
}

export type UtilizationSourceKind = 'prometheus' | 'postgres' | 'redis';

export interface UtilizationMetricConfig {
  name: string;
  /** A custom PromQL expression, or a preset such as `postgres.connections`. */
  prometheus?: string;
  preset?: string;
  /** Preset parameters (namespace, workload, …) and the unit label for the report. */
  params: Record<string, string>;
  unit?: string;
  pos: SourcePos;
  /** Where the `prometheus` expression itself is written (its value), for messages about it. */
  exprPos?: SourcePos;
}

export interface UtilizationConfig {
  /** Source URLs (and Prometheus' HTTP headers) with `${VAR}` already expanded; never logged. */
  sources: Partial<Record<UtilizationSourceKind, { url: string; headers?: Record<string, string> }>>;
  metrics: UtilizationMetricConfig[];
  /** Sampling interval of direct probes, seconds. */
  intervalSeconds: number;
  /** Slow-query snapshot (pg_stat_statements) on/off. */
  slowQueries: boolean;
  /** At most this long after a run, wait for Prometheus to scrape past its end (`sources.prometheus.scrape-wait`; default 60; 0: no wait). */
  scrapeWaitSeconds?: number;
  /** How long one Prometheus query may take (`sources.prometheus.timeout`; default 15). */
  prometheusTimeoutSeconds?: number;
  /** Sources that are configured but cannot be used, with why (e.g. `PROMETHEUS_URL is not set`). Never holds a URL. */
  unavailable?: Partial<Record<UtilizationSourceKind, string>>;
}

export interface Config {
  /** Path of the thresholds file as given (used in messages). */
  file: string;
  version: 1;
  marginal: number;
  failOn: 'fail' | 'marginal';
  noData: NoDataPolicy;
  window: WindowMode;
  warmupSeconds: number;
  /** Top-level rules: apply to every scenario. */
  rules: ThresholdRule[];
  scenarios: ScenarioConfig[];
  utilization?: UtilizationConfig;
  /** Dashboards linked under each scenario, opened on its run's time range (`dashboards:`), in file order. */
  dashboards?: DashboardConfig[];
}

/** A dashboard of thresholds.yml's `dashboards:` map. */
export interface DashboardConfig {
  name: string;
  /** The URL with `${VAR}` expanded; absent when a variable is not set (see `unavailable`). */
  url?: string;
  /** Why there is no URL, e.g. `GRAFANA_URL is not set`. */
  unavailable?: string;
  pos: SourcePos;
}

// ───────────────────────────── ingestion ─────────────────────────────

/** A measured value, or why there is none. */
export type Measurement = { value: number } | { noData: string };

export interface IngestDiagnostics {
  files: string[];
  lines: number;
  points: number;
  /** Points of metrics passed over because nothing reads them (not in `points`). */
  skippedPoints?: number;
  /** Lines that are not valid k6 JSON (garbage), with up to a few examples `file:line`. */
  badLines: number;
  badLineExamples: string[];
  /** A file ended in a partial line (k6 killed). */
  truncatedFiles: string[];
  /** Of truncatedFiles, the gzip files whose compressed stream ends early (cut short, not only a partial last line). */
  gzipCutFiles?: string[];
  /** Files that hold no sample (Point line) at all: empty, or only Metric lines. */
  emptyFiles?: string[];
  /** Gzip files with bytes after their gzip data: those bytes were ignored (as `gzip -d` does), the data before them read. */
  gzipTrailingFiles?: string[];
  /**
   * Files given both uncompressed and compressed (`run.ndjson` and `run.ndjson.gz`, same size), or
   * byte-for-byte copies (`copy`): `file` was not read, `readAs` was.
   */
  sameRunFiles?: { file: string; readAs: string; copy?: true }[];
  /**
   * Set when the files' sample times do not overlap (one starts after all the others ended): each
   * file's first and last sample (epoch ms), earliest first. Shards of one run overlap; these look
   * like separate runs, merged as one.
   */
  separateRuns?: { file: string; start: number; end: number }[];
}

/** One second (or bucket) of the run, for charts and the steady-state window. */
export interface TimelinePoint {
  /** Bucket start, epoch ms. */
  t: number;
  vus: number;
  requests: number;
  failed: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** What ingestion produces: aggregates per metric × tag set, answerable for any selector and window. */
export interface Results {
  source: 'ndjson' | 'summary';
  metrics: ReadonlyMap<string, MetricInfo>;
  /** First to last sample time; undefined when there were no samples (or a summary without times). */
  span: TimeWindow | undefined;
  diagnostics: IngestDiagnostics;
  /** Distinct values of `scenario` tags seen. */
  scenarios: string[];
  /**
   * The aggregation of the samples of `selector` within `window` (default: the whole run).
   * Percentiles follow k6's definition; counter `rate` = count ÷ window seconds.
   * The derived metric `availability` is answered from `http_reqs` points (share not 5xx, not status 0).
   */
  measure(selector: MetricSelector, aggregation: Aggregation, window?: TimeWindow): Measurement;
  /**
   * The interval `measure` actually measures for `window`: results kept in time buckets snap it to
   * bucket edges (the start up to the next bucket start, the end out to the end of its bucket; an end
   * past the last sample or a start before the first stays). Absent: windows are measured as given.
   */
  alignWindow?(window: TimeWindow): TimeWindow;
  /** Distinct values of tag `key` among the samples of `metric` (wildcard expansion). */
  tagValues(metric: string, key: string): string[];
  /** While VUs were at their peak (ramps excluded); undefined if it cannot be told. */
  steadyWindow(): TimeWindow | undefined;
  /** Per-bucket series for charts (may be the same array on every call: read it, do not change it). */
  timeline(bucketSeconds: number): readonly TimelinePoint[];
}

// ───────────────────────────── run ─────────────────────────────

export interface RunRecord {
  scenario: string;
  /** k6 output files of this run (one per shard). */
  outputs: string[];
  window: TimeWindow;
  exitCode: number | null;
  /** k6's exit code meaning, e.g. `thresholds failed (99)`. */
  exitMeaning: string;
  /** Set when the run did not complete: the results are partial. */
  incomplete?: string;
  /**
   * Set when the run completed but its output cannot be judged: it holds no k6 samples, or it is not
   * k6 output at all (the reason, e.g. `its output holds no k6 samples`). The scenario fails on it.
   */
  unusableOutput?: string;
  /**
   * k6's last error lines on stderr (at most 5, oldest first; each masked, on one line, at most 300
   * characters; logfmt records as their decoded `msg` and `hint`, see `src/k6/stderr.ts`). Set only when
   * the run did not complete or k6's exit code is not 0/99, and k6 wrote such lines: why k6 failed.
   */
  errors?: string[];
  /** Attempt number (noise-guard reruns). */
  attempt: number;
  /** The version of the k6 that ran (`k6 version`), when known; the report's environment shows it. */
  k6Version?: string;
}

// ───────────────────────────── evaluation ─────────────────────────────

export type Unit = 'ms' | 'ratio' | 'bytes' | 'count' | 'per-second' | 'percent' | 'number';

export interface CriterionResult {
  scenario: string;
  /** The key as written, or with a wildcard expanded (`http_req_duration{tenant:acme}`). */
  metric: string;
  expression: string;
  /** ms for time metrics, 0–1 for rates. null for no-data. */
  actual: number | null;
  /** The limit in the same unit as `actual` (for a relative rule: baseline + allowed change). */
  limit: number;
  unit: Unit;
  status: Status;
  /** True when this criterion's status fails the gate (severity error and status ≥ fail-on). */
  blocking: boolean;
  /** Why there is no data, or other context. */
  reason?: string;
  baseline?: number | null;
  delta?: number | null;
  window?: TimeWindow;
  /** How the rule chose its window (`steady`, and the warm-up excluded), for the report's note. */
  windowMode?: WindowMode;
  warmupSeconds?: number;
  kind: 'k6' | 'utilization' | 'relative';
  pos: SourcePos;
  severity: 'error' | 'warn';
  /** The rule's no-data policy (how a `no-data` status counts toward the verdict). */
  noData?: NoDataPolicy;
  /** The rule's marginal band, a fraction of the limit (0.1 = 10%). */
  marginal?: number;
}

export interface ScenarioEvaluation {
  name: string;
  criteria: CriterionResult[];
  /** The interval evaluated (`window: steady` narrows it). */
  window?: TimeWindow;
  /** How `window` was chosen (the scenario's `window:` and warm-up, else the top-level ones). */
  windowMode?: WindowMode;
  warmupSeconds?: number;
  /** Notes such as "no scenario named X in thresholds.yml: only the top-level thresholds apply". */
  notes: string[];
  run?: RunRecord;
}

export interface Evaluation {
  verdict: Verdict;
  failOn: 'fail' | 'marginal';
  scenarios: ScenarioEvaluation[];
  /** Human rationale for the verdict, one or two sentences. */
  rationale: string;
}

// ───────────────────────────── utilization (collectors) ─────────────────────────────

export interface SlowQuery {
  /** Shortened statement text. */
  query: string;
  meanMs: number;
  calls: number;
  totalSeconds: number;
  /** Share of all statement time during the run, 0–100. */
  percent: number;
}

export interface SlowQueryReport {
  available: boolean;
  /** Why there is no table (extension missing, source unreachable…). */
  reason?: string;
  rows: SlowQuery[];
}

/** Utilization measured over one scenario's run window. */
export interface UtilizationResults {
  /** Whether `metric` is a configured utilization metric. */
  has(metric: string): boolean;
  /**
   * The aggregation over the run window, or over `window` when given (a rule's warmup or
   * `window: steady`; clipped to the run window).
   */
  measure(metric: string, aggregation: Aggregation, window?: TimeWindow): Measurement;
  unit(metric: string): Unit;
  /** The preset a metric was configured with (`k8s.cpu`…), undefined for custom PromQL. */
  preset?(metric: string): string | undefined;
  /** The configured metric names, in config order. */
  names?(): string[];
  slowQueries?: SlowQueryReport;
  notes: string[];
}

// ───────────────────────────── baseline ─────────────────────────────

/** What a previous run left for comparison: per scenario, per `metric|aggregation` key, the value. */
export interface Baseline {
  /** Where it came from (file, or workflow run URL), for the report. */
  source: string;
  commit?: string;
  scenarios: Record<string, Record<string, number>>;
}

// ───────────────────────────── report & pipeline ─────────────────────────────

/** A block of Markdown that a later stage (utilization, charts, tenants, baseline) adds to the report. */
export interface ReportSection {
  id: string;
  /** Where it goes: after the summary, inside a scenario (after its SLO table), after the SLO comparison, or before the decision. */
  place: 'summary' | 'scenario' | 'slo' | 'decision';
  scenario?: string;
  title?: string;
  markdown: string;
  /** When the report must shrink to fit a size limit, sections with a higher number are dropped first. */
  dropOrder: number;
}

/** Headline numbers per scenario (Action outputs, comment title). */
export interface Headline {
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
  rps: number | null;
}

/** Logging sink the faces provide (the Action: @actions/core; the CLI: stderr). */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** A collapsible group (the Action) or an indented block (the CLI). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Everything the gate needs, read by a face (action inputs or argv) and handed to the pipeline. */
export interface GateOptions {
  cwd: string;
  /** Path of thresholds.yml (relative to cwd). */
  thresholds: string;
  /** Scenario names; empty = every scenario of the config (run mode) or the results' `scenario` tag (evaluate-only). */
  scenarios: string[];
  /** Evaluate-only mode: k6 output files (globs already expanded). No k6 run. */
  results?: string[];
  /** Run mode: the preview environment's base URL. */
  baseUrl?: string;
  k6?: {
    version?: string;
    path?: string;
    downloadBase?: string;
    /** Extra env for k6 (user vars). */
    env?: Record<string, string>;
    /** Tags added to every k6 run (commit, pr, run id). */
    tags?: Record<string, string>;
    timeoutSeconds?: number;
    preflight?: { path: string; expectStatus: number; timeoutSeconds: number };
    /** Distributed run: this runner's share (`0:1/4`), passed as k6's `--execution-segment`. */
    executionSegment?: string;
    /** The full segment sequence (`0,1/4,1/2,3/4,1`), passed as `--execution-segment-sequence`. */
    executionSegmentSequence?: string;
  };
  /** Overrides the config's fail-on. */
  failOn?: 'fail' | 'marginal';
  /** Run mode, noise guard: a scenario that fails the gate is run once more, and fails only if the rerun fails too. */
  confirmFailures?: boolean;
  /** A baseline report to compare against, or a function that finds one per scenario (or says why there is none). */
  baseline?: Baseline | ((scenario: string) => Promise<Baseline | { missing: string } | undefined>);
  /** Where and how the gate runs, for the report's environment table (the faces know it). */
  environment?: {
    commit?: string;
    ref?: string;
    trigger?: string;
    actor?: string;
    runUrl?: string;
  };
  /** The environment: `${VAR}` expansion in thresholds.yml, and what k6 inherits (PATH included). */
  env: Record<string, string | undefined>;
  log: Logger;
  /** Where run outputs and reports are written (defaults to a temp dir). */
  outDir?: string;
  /**
   * Run mode: cancellation (the faces abort it on SIGINT/SIGTERM). The running k6 is stopped like on
   * its timeout and marked incomplete ("cancelled"), the remaining scenarios are skipped, and what was
   * written is judged and reported.
   */
  signal?: AbortSignal;
}

/** What the pipeline hands back to a face. */
export interface GateResult {
  evaluation: Evaluation;
  /** The full Markdown report. */
  markdown: string;
  /** The same report shrunk to at most `maxChars` characters (GitHub comment / summary limits). */
  markdownWithin(maxChars: number, note: string): string;
  /** The JSON report object (what `--json` writes). */
  json: unknown;
  headline: Record<string, Headline>;
  /** Files written (k6 outputs, reports). */
  files: { markdown?: string; json?: string; outputs: string[] };
  /**
   * What the user should know even with the report unread, one plain-text line each (data quality:
   * lines skipped, files cut short or empty, results given twice; rules naming a metric the results
   * lack). The faces print them as warnings; the reports carry them too.
   */
  warnings: string[];
  /**
   * Bad input the report was still written without (evaluate-only: a results file that could not be
   * read, each message naming the file and the fix). The faces print them and fail as bad input.
   */
  inputErrors: string[];
}
