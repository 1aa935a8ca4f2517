// The pipeline both faces call: config → run → collect → ingest → evaluate → report.
// It takes everything as parameters (GateOptions) and never reads argv, the environment or sets an
// exit code; the faces do that.
import { mkdir, mkdtemp, realpath, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ingestOptionsFor, loadConfig, rulesFor } from './config/load.js';
import { collectWindow, startCollection, type Collection } from './collectors/collect.js';
import { asError, InputError } from './errors.js';
import { didYouMean } from './config/suggest.js';
import { maskKey, maskUrl } from './mask.js';
import { evaluate, type ScenarioInput } from './evaluate/evaluate.js';
import { DEFAULT_TAG_KEYS, emptyResults, ingestFiles } from './k6/ingest.js';
import { unmatchedTagText } from './metrics/results.js';
import { aggregationName, parseExpression, parseSelector } from './config/expression.js';
import { allowedAggregations } from './k6/builtin-metrics.js';
import { scenarioOfFile } from './k6/peek.js';
import { markdownTable } from 'markdown-table';
import { code, escapeCell, formatValue } from './report/units.js';
import type {
  Baseline,
  Evaluation,
  Config,
  GateOptions,
  GateResult,
  Headline,
  ReportSection,
  Results,
  RunRecord,
  ThresholdRule,
  UtilizationResults,
} from './model.js';
import { chartSections } from './report/charts.js';
import { fitMarkdown } from './report/fit.js';
import { toJsonReport } from './report/json.js';
import { renderMarkdown, type ReportEnvironment, type ReportInput } from './report/markdown.js';
import { headlineFor } from './report/stats.js';
import { dataQualityItems, noiseGuardNote } from './report/quality.js';
import { tenantSection } from './report/tenants.js';
import { utilizationSections } from './report/utilization.js';
import { runScenarios } from './run/run.js';

/** k6's name for the scenario of a script without `options.scenarios`. */
const DEFAULT_SCENARIO = 'default';

interface Measured {
  name: string;
  files: string[];
  results: Results;
  utilization?: UtilizationResults;
  run?: RunRecord;
  notes: string[];
  /** Results files left out because they could not be read (evaluate-only): bad input, reported with the rest. */
  unread?: InputError[];
}

export async function gate(opts: GateOptions): Promise<GateResult> {
  const { log } = opts;
  const outputsOfFirstAttempts: string[] = [];
  const configPath = resolve(opts.cwd, opts.thresholds);
  // Messages, rule positions and annotations name the file as the user wrote it.
  const config = loadConfig(configPath, { env: opts.env, name: opts.thresholds });

  let measured = opts.results ? await evaluateOnly(opts, config) : await runAndMeasure(opts, config, opts.scenarios, 1);
  const failOn = opts.failOn ? { failOn: opts.failOn } : {};
  let inputs = await scenarioInputs(opts, config, measured);
  let evaluation = evaluate({ config, ...failOn, scenarios: inputs });

  // Noise guard: confirm a failing scenario with one rerun; it fails only if the rerun fails too.
  let guard: ReportSection | undefined;
  if (opts.confirmFailures && !opts.results) {
    const failing = evaluation.scenarios.filter((s) => s.criteria.some((c) => c.blocking)).map((s) => s.name);
    if (failing.length > 0) {
      log.info(`perf-gate: ${failing.join(', ')} failed the gate; confirming with one rerun (noise guard)`);
      const first = evaluation;
      const firstMeasured = measured;
      const rerun = await runAndMeasure(opts, config, failing, 2);
      // a cancelled gate reruns nothing (or not every scenario): the first runs of the others decide
      const rerunNames = failing.filter((n) => rerun.some((r) => r.name === n));
      if (rerunNames.length > 0) {
        measured = measured.map((m) => rerun.find((r) => r.name === m.name) ?? m);
        inputs = await scenarioInputs(opts, config, measured);
        evaluation = evaluate({ config, ...failOn, scenarios: inputs });
        guard = noiseGuardSection(first, evaluation, rerunNames);
        outputsOfFirstAttempts.push(...(await setAside(firstMeasured.filter((m) => rerunNames.includes(m.name)).flatMap((m) => m.files), log)));
      } else log.info('perf-gate: no noise-guard rerun (the gate was cancelled): the first runs decide');
    }
  }

  const results: Record<string, Results> = Object.fromEntries(measured.map((m) => [m.name, m.results]));

  const sections: ReportSection[] = guard ? [guard] : [];
  sections.push(
    ...utilizationSections(
      evaluation.scenarios.map((s) => {
        const util = measured.find((m) => m.name === s.name)?.utilization;
        return { name: s.name, criteria: s.criteria, ...(util ? { utilization: util } : {}) };
      }),
    ),
  );
  for (const m of measured) {
    const window = evaluation.scenarios.find((s) => s.name === m.name)?.window;
    sections.push(...safeSections(`charts for ${m.name}`, log, () => chartSections(m.name, m.results, window)));
    sections.push(...safeSections(`tenant table for ${m.name}`, log, () => [tenantSection(m.name, m.results, window ? { window } : {})]));
  }

  const baselineSources = inputs.flatMap((s) => (s.baseline && 'source' in s.baseline ? [s.baseline.source] : []));
  const k6Version = measured.find((m) => m.run?.k6Version)?.run?.k6Version;
  const environment: ReportEnvironment = {
    thresholdsFile: opts.thresholds,
    ...(k6Version ? { k6Version: `v${k6Version.replace(/^v/, '')}` } : {}),
    generatedAt: new Date().toISOString(),
    ...(opts.baseUrl && !opts.results ? { baseUrl: maskUrl(opts.baseUrl) } : {}),
    ...(opts.environment ?? {}),
    ...(baselineSources.length > 0 ? { baselineSource: [...new Set(baselineSources)].join(', ') } : {}),
  };
  const warnings = gateWarnings(evaluation, results);
  const inputErrors = measured.flatMap((m) => (m.unread ?? []).map((e) => e.message));
  const dashboards = config.dashboards ?? [];
  // file:line:column first: the Action turns it into an annotation on thresholds.yml
  for (const d of dashboards) {
    if (d.unavailable) warnings.push(`${d.pos.file}:${d.pos.line}:${d.pos.column}: dashboards.${d.name.replace(/\s+/g, ' ')} is not linked: ${d.unavailable} (set it in the job's or step's env)`);
  }
  const reportInput: ReportInput = { evaluation, results, environment, sections, dashboards };
  const markdown = renderMarkdown(reportInput);
  const json = toJsonReport(evaluation, { results, environment, warnings, dashboards, ...(environment.generatedAt ? { generatedAt: environment.generatedAt } : {}) });
  const headline: Record<string, Headline> = {};
  for (const s of evaluation.scenarios) {
    const r = results[s.name];
    if (r) headline[s.name] = headlineFor(r, s.window);
  }

  const files: GateResult['files'] = { outputs: [...outputsOfFirstAttempts, ...measured.flatMap((m) => m.files)] };
  if (opts.outDir) {
    const dir = resolve(opts.cwd, opts.outDir);
    await mkdir(dir, { recursive: true });
    files.markdown = join(dir, 'report.md');
    files.json = join(dir, 'report.json');
    await writeFile(files.markdown, markdown, 'utf8');
    await writeFile(files.json, `${JSON.stringify(json, null, 2)}\n`, 'utf8');
  }

  return {
    evaluation,
    markdown,
    markdownWithin: (maxChars, note) => (markdown.length <= maxChars ? markdown : fitMarkdown(reportInput, maxChars, note)),
    json,
    headline,
    files,
    warnings,
    inputErrors,
  };
}

/**
 * Evaluate-only. With no scenario named, the files are grouped by the k6 `scenario` tag they carry
 * and each group is judged as one run of that scenario. With one name, every file is judged as that
 * scenario (a file tagged otherwise gets a note). With several, the files are grouped by tag and only
 * the named scenarios are judged. A file given twice is read once.
 */
async function evaluateOnly(opts: GateOptions, config: Config): Promise<Measured[]> {
  const shown = displayPath(opts.cwd);
  const { files, repeated } = await distinctFiles(opts.results ?? []);
  const named = [...new Set(opts.scenarios)];
  if (config.scenarios.length > 0) {
    const known = config.scenarios.map((s) => s.name);
    for (const name of named) {
      if (!known.includes(name)) {
        throw new InputError(
          `no scenario named '${name}' (the scenario asked for) in this file.${didYouMean(name, known)}`,
          opts.thresholds,
          `ask for one of ${known.map((k) => `'${k}'`).join(', ')}, or add '${name}' under \`scenarios:\``,
        );
      }
    }
  }
  const tags = new Map<string, string | undefined>();
  for (const file of files) tags.set(file, await scenarioOfFile(file));
  const groups = new Map<string, string[]>();
  const notes = new Map<string, string[]>();
  const noteFor = (name: string, note: string) => notes.set(name, [...(notes.get(name) ?? []), note]);
  const left: string[] = [];
  if (named.length === 1) {
    const name = named[0]!;
    groups.set(name, files);
    for (const file of files) {
      const tag = tags.get(file);
      if (tag !== undefined && tag !== name) noteFor(name, `${code(shown(file))} carries the k6 scenario tag ${code(tag)}: judged as ${code(name)}, the scenario asked for`);
    }
  } else {
    for (const file of files) {
      const tag = tags.get(file) ?? DEFAULT_SCENARIO;
      if (named.length > 0 && !named.includes(tag)) left.push(`${code(shown(file))} (k6 scenario tag ${code(tag)})`);
      else groups.set(tag, [...(groups.get(tag) ?? []), file]);
    }
    const missing = named.filter((n) => !groups.has(n));
    if (missing.length > 0) {
      const seen = [...new Set(files.map((f) => tags.get(f) ?? DEFAULT_SCENARIO))];
      throw new InputError(
        `no results file carries the k6 scenario tag ${missing.map((m) => `'${m}'`).join(', ')} (the results' tags: ${seen.map((t) => `'${t}'`).join(', ')})`,
        undefined,
        'pass the results of every scenario asked for, or ask only for scenarios the results hold',
      );
    }
  }
  const first = [...groups.keys()][0]!;
  for (const f of repeated) noteFor(first, `${code(shown(f))} was given more than once: read once`);
  if (left.length > 0) noteFor(first, `not judged, their scenario was not asked for: ${left.join(', ')}`);

  const out: Measured[] = [];
  for (const [name, group] of groups) {
    const scenarioNotes = notes.get(name) ?? [];
    // a file that cannot be read is left out: the report is still written from the others, and the
    // face exits with bad input naming each file left out
    const unread: InputError[] = [];
    const results = await ingestFiles(group, {
      ...ingestOptionsFor(config, name),
      displayName: shown,
      leaveOut: (file, error) => {
        unread.push(error);
        scenarioNotes.push(`${code(shown(file))} was not read, so these results lack it: ${error.problem}`);
      },
    });
    if (named.length !== 1) {
      // grouped by the k6 scenario tag of each file's first sample: a script with several k6 scenarios
      // wrote them all into one file, and all are judged under the first one's name
      const k6Scenarios = [...new Set(['http_reqs', 'iteration_duration'].flatMap((m) => (results.metrics.has(m) ? results.tagValues(m, 'scenario') : [])))].sort();
      const others = k6Scenarios.filter((t) => t !== name);
      if (others.length > 0) {
        scenarioNotes.push(
          k6Scenarios.length === 1
            ? `the results' samples carry the k6 scenario tag ${code(k6Scenarios[0]!)}, judged as ${code(name)}`
            : `the results hold samples of ${k6Scenarios.length} k6 scenarios (${k6Scenarios.map(code).join(', ')}), judged together as ${code(name)}; a rule can take one of them with a tag filter (${code(`http_req_duration{scenario:${others[0]}}`)})`,
        );
      }
    }
    let utilization: UtilizationResults | undefined;
    if (config.utilization) {
      if (results.span) {
        utilization = await opts.log.group(`perf-gate: utilization over the results' time span (${name})`, () =>
          collectWindow(config.utilization!, results.span!, opts.log),
        );
      } else {
        scenarioNotes.push('the results carry no sample times (a k6 summary): utilization cannot be bound to the run window');
      }
    }
    out.push({ name, files: group, results, notes: scenarioNotes, ...(utilization ? { utilization } : {}), ...(unread.length > 0 ? { unread } : {}) });
  }
  // Not one file could be read: there is no report to write, only the reason.
  const unreadable = out.flatMap((m) => m.unread ?? []);
  if (unreadable.length > 0 && unreadable.length === out.reduce((n, m) => n + m.files.length, 0)) throw unreadable[0]!;
  // Nothing to judge at all is bad input, not a run whose every criterion has no data.
  if (out.every((m) => m.results.source !== 'summary' && (m.results.diagnostics.emptyFiles?.length ?? 0) + (m.unread?.length ?? 0) === m.files.length)) {
    throw new InputError(
      `no k6 samples in ${files.length === 1 ? 'the results file' : `any of the ${files.length} results files`}: k6 wrote nothing (or only metric definitions)`,
      files[0],
      "check k6's log: the run must start and write samples with `--out json=FILE`",
    );
  }
  return out;
}

/**
 * How the report names a file: relative to the working directory when it is inside it (a
 * repository's `results/run.ndjson`, not the runner's absolute path), else as given.
 */
export function displayPath(cwd: string): (path: string) => string {
  return (path) => {
    const rel = relative(cwd, resolve(cwd, path));
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel : path;
  };
}

/** The files in the order given, each once (by its real path), and the ones given again. */
async function distinctFiles(files: string[]): Promise<{ files: string[]; repeated: string[] }> {
  const seen = new Set<string>();
  const out: string[] = [];
  const repeated: string[] = [];
  for (const f of files) {
    const key = await realpath(f).catch(() => resolve(f));
    if (seen.has(key)) {
      if (!repeated.includes(f)) repeated.push(f);
    } else {
      seen.add(key);
      out.push(f);
    }
  }
  return { files: out, repeated };
}

/**
 * The first attempts' k6 output once a rerun has replaced them: renamed `….first-attempt.gz`. They
 * stay beside the rerun's (the report shows both runs), but a later `evaluate` of the directory's
 * `*.ndjson.gz` files (the fork-safe split, a retest) takes only the runs that decided, instead of
 * merging two attempts as shards of one run. Returns the paths as they are now.
 */
async function setAside(files: string[], log: GateOptions['log']): Promise<string[]> {
  return Promise.all(
    files.map(async (f) => {
      if (!f.endsWith('.ndjson.gz')) return f;
      const to = `${f.slice(0, -'.ndjson.gz'.length)}.first-attempt.gz`;
      try {
        await rename(f, to);
        return to;
      } catch (error) {
        log.warning(`perf-gate: could not rename the first attempt's k6 output ${f} (${asError(error).message}): evaluating its directory again would merge both attempts`);
        return f;
      }
    }),
  );
}

/** Run mode: run each scenario with k6, collecting utilization over each run's window. */
async function runAndMeasure(opts: GateOptions, config: Config, scenarios: string[], attempt: number): Promise<Measured[]> {
  const shown = displayPath(opts.cwd);
  if (!opts.baseUrl) throw new Error('run mode needs a base URL');
  // A cancelled gate makes no noise-guard rerun: the first runs are judged.
  if (attempt > 1 && opts.signal?.aborted) return [];
  const outDir = opts.outDir ? resolve(opts.cwd, opts.outDir) : await mkdtemp(join(tmpdir(), 'perf-gate-'));
  const collections = new Map<string, Collection>();
  const utilization = new Map<string, UtilizationResults>();
  const util = config.utilization;
  const records = await runScenarios({
    config,
    scenarios,
    attempt,
    // k6 inherits the face's environment (PATH, user variables), not this process's by accident.
    processEnv: opts.env,
    baseUrl: opts.baseUrl,
    k6: opts.k6,
    cwd: opts.cwd,
    outDir,
    log: opts.log,
    ...(opts.signal ? { signal: opts.signal } : {}),
    hooks: util
      ? {
          beforeScenario: async (name) => {
            collections.set(name, await startCollection(util, opts.log, opts.signal ? { scrapeWait: { signal: opts.signal } } : {}));
          },
          afterScenario: async (name, record) => {
            const c = collections.get(name);
            // a run that did not complete (cancelled, k6 did not start) is not worth waiting a scrape interval for
            if (c) utilization.set(name, await c.stop(record.window, { waitForScrape: !record.incomplete }));
          },
        }
      : {},
  });
  const out: Measured[] = [];
  for (const record of records) {
    // A run whose k6 wrote nothing (an init error) is judged on no data, its record attached: the
    // incomplete run fails with k6's reason, and the other scenarios are still judged and reported.
    const ingestOptions = { ...ingestOptionsFor(config, record.scenario), displayName: shown };
    const notes: string[] = [];
    let results: Results;
    if (record.outputs.length === 0) results = emptyResults([], ingestOptions);
    else {
      try {
        results = await ingestFiles(record.outputs, ingestOptions);
      } catch (error) {
        // A k6 killed mid-run can leave a file that cannot be read at all (a gzip stream cut before
        // any data): the run is judged incomplete on no data rather than stopping the whole gate. A
        // complete run's unreadable output fails its scenario the same way: the load was spent, and
        // the other scenarios are still judged and reported.
        if (!(error instanceof InputError)) throw error;
        const problem = error.message.split('\n')[0]!;
        if (record.incomplete) notes.push(`the output of the interrupted run cannot be read: ${problem}`);
        else record.unusableOutput = `its output cannot be read (${problem})`;
        results = emptyResults(record.outputs.map(shown), ingestOptions);
      }
      // k6 ended normally and wrote nothing to judge (a script that sends no request and records no
      // metric, an output that went elsewhere): every rule would read no data and the gate pass.
      if (!record.incomplete && !record.unusableOutput && results.source !== 'summary' && (results.diagnostics.emptyFiles?.length ?? 0) === record.outputs.length) {
        record.unusableOutput = 'its output holds no k6 samples (nothing, or only metric definitions)';
      }
    }
    const u = utilization.get(record.scenario);
    out.push({ name: record.scenario, files: record.outputs, results, run: record, notes, ...(u ? { utilization: u } : {}) });
  }
  return out;
}

/** Baselines found per gate call and scenario: a noise-guard rerun does not fetch them again. */
const baselines = new WeakMap<GateOptions, Map<string, Promise<Baseline | { missing: string } | undefined>>>();

function baselineFor(opts: GateOptions, scenario: string, rules: ThresholdRule[]): Promise<Baseline | { missing: string } | undefined> {
  let cache = baselines.get(opts);
  if (!cache) baselines.set(opts, (cache = new Map()));
  let found = cache.get(scenario);
  if (!found) cache.set(scenario, (found = findBaselineFor(opts, scenario, rules)));
  return found;
}

async function findBaselineFor(opts: GateOptions, scenario: string, rules: ThresholdRule[]): Promise<Baseline | { missing: string } | undefined> {
  const needs = rules.some((r) => r.expression.relative);
  if (!opts.baseline) {
    return needs ? { missing: 'no baseline given: pass --baseline FILE (a JSON report of an earlier run), or run on a pull request whose base branch has a perf-gate run' } : undefined;
  }
  if (typeof opts.baseline !== 'function') return opts.baseline;
  try {
    const found = await opts.baseline(scenario);
    return found ?? (needs ? { missing: 'no baseline run found on the base branch' } : undefined);
  } catch (error) {
    return { missing: `the baseline could not be loaded: ${asError(error).message}` };
  }
}

/**
 * What the faces print as warnings: each scenario's data-quality problems, and rules naming a metric
 * the results lack when a metric they do hold is a likely typo of it (file:line:column of the rule).
 */
export function gateWarnings(evaluation: Evaluation, results: Record<string, Results>): string[] {
  const out: string[] = [];
  // an approval that judged nothing (no thresholds at all, or none for these scenarios) is said, not silent
  const none = evaluation.scenarios.filter((s) => s.criteria.length === 0).map((s) => s.name);
  if (none.length > 0) out.push(`no criteria apply to ${none.join(', ')}: nothing there is judged (add thresholds for ${none.length === 1 ? 'it' : 'them'} in the thresholds file)`);
  for (const s of evaluation.scenarios) {
    const r = results[s.name];
    for (const item of dataQualityItems(s, r)) if (item.warn) out.push(`${s.name}: ${item.text}`);
    if (!r || r.metrics.size === 0) continue;
    for (const c of s.criteria) {
      const metric = c.metric.replace(/\{.*$/s, '');
      if (c.kind !== 'k6' || c.status !== 'no-data' || metric === 'availability' || r.metrics.has(metric)) continue;
      const hint = didYouMean(metric, [...r.metrics.keys()]);
      const line = `${c.pos.file}:${c.pos.line}:${c.pos.column}: no samples of ${code(metric)} in the results of ${s.name}.${hint}`;
      if (hint && !out.includes(line)) out.push(line);
    }
    // An aggregation the metric's type does not have — for a custom metric known only now, from its
    // Metric line — is a rule k6 itself would refuse: said at its line, as the loader says it of a built-in.
    for (const c of s.criteria) {
      const info = c.kind === 'k6' && c.status === 'no-data' ? r.metrics.get(c.metric.replace(/\{.*$/s, '')) : undefined;
      if (!info || info.typeUnknown) continue;
      let kind: string;
      try {
        kind = aggregationName(parseExpression(c.expression).aggregation);
      } catch {
        continue;
      }
      if (allowedAggregations(info.type).includes(kind)) continue;
      const line = `${c.pos.file}:${c.pos.line}:${c.pos.column}: \`${c.expression}\` on ${code(maskKey(c.metric))} in ${s.name}: a ${info.type} metric has only ${allowedAggregations(info.type).join(', ')} (k6 rejects the rule; it reads no data)`;
      if (!out.includes(line)) out.push(line);
    }
    // A tag key no sample of the metric carries is a typo: a trend reads no data (its reason says
    // so), and a counter reads 0 — `http_reqs{endpont:trades}: count<10` would always pass.
    for (const c of s.criteria) {
      if (c.kind !== 'k6' || !c.metric.includes('{')) continue;
      let selector;
      try {
        selector = parseSelector(c.metric);
      } catch {
        continue;
      }
      if (!r.metrics.has(selector.metric) && selector.metric !== 'availability') continue;
      const unseen = { ...selector, tags: selector.tags.filter((t) => r.tagValues(selector.metric, t.key).length === 0) };
      const why = unseen.tags.length > 0 ? unmatchedTagText(r, unseen, [...DEFAULT_TAG_KEYS, ...selector.tags.map((t) => t.key)]) : '';
      const line = `${c.pos.file}:${c.pos.line}:${c.pos.column}: ${code(c.metric)} in ${s.name}${why}`;
      if (why && !out.includes(line)) out.push(line);
    }
  }
  return out;
}

/** Optional report blocks never sink the report: a failure becomes a warning. */
function safeSections(what: string, log: GateOptions['log'], make: () => (ReportSection | undefined)[]): ReportSection[] {
  try {
    return make().filter((s): s is ReportSection => s !== undefined);
  } catch (error) {
    log.warning(`perf-gate: left out the ${what}: ${asError(error).message}`);
    return [];
  }
}

async function scenarioInputs(opts: GateOptions, config: Config, measured: Measured[]): Promise<ScenarioInput[]> {
  const inputs: ScenarioInput[] = [];
  for (const m of measured) {
    const configured = config.scenarios.find((s) => s.name === m.name);
    const notes = [...m.notes];
    if (!configured && config.scenarios.length > 0) {
      notes.push(
        `no scenario named '${m.name}' in ${opts.thresholds}: only the top-level thresholds apply (configured: ${config.scenarios.map((s) => s.name).join(', ')})`,
      );
    }
    if (m.run && m.run.attempt > 1) notes.push(noiseGuardNote(m.run.attempt));
    const rules = rulesFor(config, configured?.name);
    inputs.push({
      name: m.name,
      rules,
      results: m.results,
      ...(m.utilization ? { utilization: m.utilization } : {}),
      ...(m.run ? { run: m.run } : {}),
      baseline: await baselineFor(opts, m.name, rules),
      notes,
    });
  }
  return inputs;
}

/** The report's account of the noise guard: each rerun scenario, what failed first, what the rerun found. */
export function noiseGuardSection(first: Evaluation, final: Evaluation, rerun: string[]): ReportSection {
  const rows: string[][] = [['Scenario', 'Run 1', 'Run 2 (decides)', 'Failed in run 1']];
  for (const name of rerun) {
    const a = first.scenarios.find((s) => s.name === name);
    const b = final.scenarios.find((s) => s.name === name);
    const failedA = a?.criteria.filter((c) => c.blocking) ?? [];
    const failedB = b?.criteria.filter((c) => c.blocking) ?? [];
    rows.push([
      code(escapeCell(name)),
      `❌ ${failedA.length} blocking`,
      failedB.length === 0 ? '✅ passed' : `❌ ${failedB.length} blocking`,
      failedA.map((c) => `\`${escapeCell(maskKey(c.metric))}\` \`${escapeCell(c.expression)}\` (${c.actual === null ? 'no data' : formatValue(c.actual, c.unit)})`).join('<br>'),
    ]);
  }
  const confirmed = rerun.filter((n) => final.scenarios.find((s) => s.name === n)?.criteria.some((c) => c.blocking));
  const verdict =
    confirmed.length === 0
      ? 'The failures of the first run did not repeat: the rerun decides, and it passed.'
      : `The rerun failed too (${confirmed.join(', ')}): the failure is confirmed.`;
  return {
    id: 'noise-guard',
    place: 'summary',
    title: 'Noise guard',
    markdown: `### Noise guard\n\n${verdict}\n\n${markdownTable(rows, { align: ['l', 'l', 'l', 'l'] })}\n`,
    dropOrder: 10,
  };
}
