// thresholds.yml → Config. Every problem names file:line:column (from the YAML AST), what is wrong and
// what is allowed; all problems are collected and thrown together as one ConfigError.
import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Node } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { PRESET_NAMES } from '../collectors/presets-list.js';
import { BUILTIN_METRICS, SERIES_AGGREGATIONS, allowedAggregations } from '../k6/builtin-metrics.js';
import type {
  Config,
  DashboardConfig,
  Expression,
  MetricInfo,
  NoDataPolicy,
  ScenarioConfig,
  SourcePos,
  ThresholdRule,
  UtilizationConfig,
  UtilizationMetricConfig,
  UtilizationSourceKind,
  WindowMode,
} from '../model.js';
import { ExpressionError, aggregationName, formatAggregation, parseExpression, parseSelector } from './expression.js';
import { DURATION_RE, PERCENT_RE, PRESET_PARAMS, configSchema, expressionObjectSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import { enumHint, expressionListHint, indentHint, thresholdsMapHint, unknownKeyHint, yamlErrorHint, type YamlErrorContext } from './hints.js';
import { markExplicit } from './rules.js';
import { envSecrets, maskValues } from '../mask.js';

export { ingestOptionsFor, rulesFor } from './rules.js';

/** One thing wrong in thresholds.yml. */
export interface ConfigProblem {
  /** `file:line:column`. */
  where: string;
  message: string;
  /** How to fix it, when there is something specific to say. */
  hint?: string;
}

/**
 * thresholds.yml has problems; `problems` lists every one, in file order. A hint may span several
 * lines (a YAML example); the message indents them under its `fix:` label.
 */
export class ConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    const one = problems.length === 1 ? problems[0] : undefined;
    super(
      one
        ? one.message
        : `${problems.length} problems in ${file}:\n${problems.map((p) => `  ${p.where}: ${p.message}${p.hint ? `\n    fix: ${indentHint(p.hint, 9)}` : ''}`).join('\n')}`,
      one?.where,
      one?.hint === undefined ? undefined : indentHint(one.hint, 7),
    );
  }
}

export interface LoadOptions {
  /** The file's content; when given, `file` is not read (it is still used in messages). */
  text?: string;
  /** Environment for `${VAR}` in utilization sources. */
  env?: Record<string, string | undefined>;
  /** The file's name as the user wrote it, for messages and `Config.file` (default: `file`). */
  name?: string;
}

export const DEFAULTS = {
  marginal: 0.1,
  failOn: 'fail',
  noData: 'warn',
  window: 'all',
  warmupSeconds: 0,
  intervalSeconds: 5,
  slowQueries: true,
} as const;

type Path = (string | number)[];

const SOURCE_KINDS: readonly UtilizationSourceKind[] = ['prometheus', 'postgres', 'redis'];
/** A utilization metric's `unit` (how the report formats it). */
/** The longest a single Prometheus query may be given (`sources.prometheus.timeout`). */
const MAX_PROMETHEUS_TIMEOUT_SECONDS = 3600;
const UNIT_NAMES: readonly string[] = ['ms', '%', 'percent', 'ratio', 'count', 'bytes', '/s', 'per-second', 'ops/s', 'rps', 'number'];
const SCENARIO_NAME_RE = /^[A-Za-z0-9_-]+$/;

/**
 * Reads and checks thresholds.yml (format version 1). Throws ConfigError listing every problem with
 * `file:line:column`; an unreadable file is a ConfigError too.
 */
export function loadConfig(file: string, opts: LoadOptions = {}): Config {
  const name = opts.name ?? file;
  let text = opts.text;
  if (text === undefined) {
    try {
      const bytes = readFileSync(file);
      // UTF-16 (PowerShell 5's `>` writes it): every other byte of ASCII text is 0
      const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.subarray(0, 64).includes(0);
      if (utf16) {
        throw new ConfigError(name, [
          {
            where: `${name}:1:1`,
            message: `${name} is not UTF-8 text (it looks like UTF-16${bytes.subarray(0, 64).includes(0) && bytes[0] !== 0xff && bytes[0] !== 0xfe ? ', or holds NUL bytes' : ''})`,
            hint: 'save it as UTF-8 (in PowerShell: `Set-Content -Encoding utf8`; in an editor: its encoding setting)',
          },
        ]);
      }
      text = bytes.toString('utf8');
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(name, [
        {
          where: name,
          message:
            code === 'ENOENT'
              ? `the thresholds file ${name} does not exist`
              : code === 'EISDIR'
                ? `${name} is a directory, not a thresholds file`
                : code === 'EACCES' || code === 'EPERM'
                  ? `cannot read ${name}: permission denied`
                  : `cannot read ${name}: ${(err as Error).message}`,
          hint:
            code === 'EACCES' || code === 'EPERM'
              ? `let the user running perf-gate read it (e.g. \`chmod a+r ${name}\`)`
              : code === 'EISDIR'
                ? `pass the file inside it, e.g. --thresholds ${name.replace(/\/+$/, '')}/thresholds.yml`
                : 'pass the path of your thresholds.yml (the `thresholds` input, or --thresholds FILE)',
        },
      ]);
    }
  }
  return new Loader(name, text, opts.env ?? {}).load();
}

class Loader {
  private readonly problems: { pos: SourcePos; offset: number; message: string; hint?: string }[] = [];
  private readonly lc = new LineCounter();
  private root: Node | null = null;
  private utilizationNames = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  load(): Config {
    const doc = parseDocument(this.text, { lineCounter: this.lc, prettyErrors: true, merge: true, uniqueKeys: true, stringKeys: true });
    for (const e of doc.errors) {
      const offset = e.pos[0];
      const first = (e.message.split('\n')[0] ?? e.message)
        .replace(/ at line \d+, column \d+:?$/, '')
        .replace(/^With stringKeys, all keys must be strings$/, 'a key must be a plain string')
        .replace(/^Source contains multiple documents.*$/, 'the file holds more than one YAML document (a `---` line)');
      this.add(offset, `YAML syntax: ${first}`, yamlErrorHint(e.code, first, this.yamlContext(doc, e.code, offset)));
    }
    if (this.problems.length) this.fail();
    this.root = doc.contents as Node | null;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // e.g. an alias (`*name`) without its anchor, or an alias bomb
      let at = 0;
      visit(doc, {
        Alias(_key, node) {
          if (isAlias(node) && node.resolve(doc) === undefined) {
            at = node.range?.[0] ?? 0;
            return visit.BREAK;
          }
          return undefined;
        },
      });
      if (/excessive alias count/i.test((err as Error).message)) {
        this.add(at, 'YAML: the aliases (`*name`) expand to too many values (over 1,000 expansions)', 'write the repeated values out, or nest fewer aliases inside anchors');
      } else this.add(at, `YAML: ${(err as Error).message}`, 'define each anchor (`&name`) before its alias (`*name`)');
      this.fail();
    }
    if (data === null || data === undefined) {
      this.add(0, 'the file is empty', 'start with `version: 1` and a `thresholds:` map (see docs/thresholds.md)');
      this.fail();
    }
    if (!isPlainObject(data)) {
      this.add(0, `the top level of ${this.file} must be a map of keys (version, thresholds, scenarios…), got ${typeName(data)}`, 'start with `version: 1`');
      this.fail();
    }
    const parsed = configSchema.safeParse(data);
    if (!parsed.success) for (const issue of parsed.error.issues) this.report(issue as Issue, [], data);
    const config = this.build(data);
    if (this.problems.length) this.fail();
    return config;
  }

  /** The line of a YAML error and, for a duplicate key, where the key first appears. */
  private yamlContext(doc: ReturnType<typeof parseDocument>, code: string, offset: number): YamlErrorContext {
    const { line } = this.lc.linePos(offset);
    const start = this.lc.lineStarts[line - 1] ?? 0;
    const end = this.text.indexOf('\n', start);
    const ctx: YamlErrorContext = { lineText: this.text.slice(start, end < 0 ? undefined : end) };
    if (code === 'DUPLICATE_KEY') {
      visit(doc, {
        Map: (_key, map) => {
          const at = map.items.findIndex((p) => isScalar(p.key) && p.key.range?.[0] === offset);
          if (at < 0) return undefined;
          const dup = map.items[at]!;
          const name = (dup.key as { value: unknown }).value;
          const first = map.items.slice(0, at).find((p) => isScalar(p.key) && p.key.value === name);
          if (first && isScalar(first.key) && first.key.range) {
            ctx.duplicate = { key: String(name), firstLine: this.lc.linePos(first.key.range[0]).line, lists: isSeq(first.value) && isSeq(dup.value) };
          }
          return visit.BREAK;
        },
      });
    }
    if (/^(?:BAD_INDENT|MISSING_CHAR)$/.test(code)) {
      // an unclosed `[` / `{` ends where the next token starts: that is where the error is
      visit(doc, {
        Collection: (_key, node) => {
          if (node.flow && node.range && (node.range[1] === offset || node.range[2] === offset)) {
            (ctx.opened ??= {})[isSeq(node) ? 'list' : 'map'] = this.lc.linePos(node.range[0]).line;
          }
          return undefined;
        },
      });
    }
    return ctx;
  }

  // ───────────────────────────── positions ─────────────────────────────

  private posAt(offset: number): SourcePos {
    const { line, col } = this.lc.linePos(offset);
    return { file: this.file, line, column: col };
  }

  private add(offset: number, message: string, hint?: string): void {
    const p: { pos: SourcePos; offset: number; message: string; hint?: string } = { pos: this.posAt(offset), offset, message };
    if (hint !== undefined) p.hint = hint;
    if (this.problems.some((q) => q.offset === offset && q.message === message)) return;
    this.problems.push(p);
  }

  private fail(): never {
    const sorted = [...this.problems].sort((a, b) => a.offset - b.offset);
    throw new ConfigError(
      this.file,
      sorted.map((p) => {
        const out: ConfigProblem = { where: `${p.pos.file}:${p.pos.line}:${p.pos.column}`, message: p.message };
        if (p.hint !== undefined) out.hint = p.hint;
        return out;
      }),
    );
  }

  /** The node at `path`, or the deepest existing ancestor when it is absent. */
  private nodeAt(path: Path): { node: Node | null; found: boolean } {
    let node: Node | null = this.root;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) return { node, found: false };
        node = (pair.value as Node | null) ?? (pair.key as Node);
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) return { node, found: false };
        node = item;
      } else {
        return { node, found: false };
      }
    }
    return { node, found: true };
  }

  /** Offset of the value at `path` (or of its nearest ancestor). */
  private offsetOf(path: Path): number {
    const { node } = this.nodeAt(path);
    return node?.range?.[0] ?? 0;
  }

  /** Offset of the key `key` inside the map at `path`. */
  private keyOffset(path: Path, key: string): number {
    const { node, found } = this.nodeAt(path);
    if (found && isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === key);
      const k = pair?.key as Node | undefined;
      if (k?.range) return k.range[0];
    }
    return this.offsetOf(path);
  }

  // ───────────────────────────── structural problems (zod) ─────────────────────────────

  private report(issue: Issue, base: Path, data: unknown): void {
    const path: Path = [...base, ...(issue.path as Path)];
    const value = valueAt(data, path);
    const where = describePath(path);
    switch (issue.code) {
      case 'invalid_key':
        return; // metric keys, scenario and metric names: checked (with better messages) when the Config is built
      case 'unrecognized_keys': {
        const allowed = allowedKeys(path);
        for (const key of issue.keys ?? []) {
          const ctx = where === '' ? 'at the top level' : `in ${where}`;
          this.add(
            this.keyOffset(path, key),
            `unknown key \`${key}\` ${ctx}; allowed: ${allowed.join(', ')}.${didYouMean(key, allowed)}`,
            unknownKeyHint(key, allowed, path.length === 0, valueAt(data, [...path, key])),
          );
        }
        return;
      }
      case 'invalid_union': {
        const branches = (issue.errors ?? []) as Issue[][];
        const relevant = branches.filter((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
        if (relevant.length === 1) {
          for (const i of relevant[0] as Issue[]) this.report(i, path, data);
          return;
        }
        this.typeProblem(path, value);
        return;
      }
      case 'invalid_type': {
        if (value === undefined) {
          const key = String(path[path.length - 1]);
          const parent = path.slice(0, -1);
          this.add(this.offsetOf(parent), `${describePath(parent) || 'the file'} is missing the required key \`${key}\``, requiredHint(path));
          return;
        }
        this.typeProblem(path, value);
        return;
      }
      case 'invalid_value': {
        const values = (issue.values ?? []).map(String);
        const last = String(path[path.length - 1]);
        if (value === undefined) {
          const parent = path.slice(0, -1);
          this.add(this.offsetOf(parent), `${describePath(parent) || 'the file'} is missing the required key \`${last}\``, requiredHint(path));
          return;
        }
        if (last === 'version') {
          const what = typeof value === 'number' ? `unsupported format version ${show(value)}` : `version must be the number 1, got ${typeof value === 'string' ? `the string "${value}"` : show(value)}`;
          this.add(this.offsetOf(path), `${what}; allowed: 1`, 'write `version: 1`');
          return;
        }
        this.add(this.offsetOf(path), `${show(value)} is not allowed for \`${last}\`; allowed: ${values.join(', ')}.${didYouMean(String(value), values)}`, enumHint(last, value, values));
        return;
      }
      case 'invalid_format':
      case 'too_small':
      case 'too_big':
        this.typeProblem(path, value);
        return;
      default:
        this.add(this.offsetOf(path), `${where || 'the file'}: ${issue.message}`);
    }
  }

  private typeProblem(path: Path, value: unknown): void {
    const where = describePath(path);
    const expected = expectedAt(path, value);
    const last = path[path.length - 1];
    const offset = value === null && typeof last === 'string' ? this.keyOffset(path.slice(0, -1), last) : this.offsetOf(path);
    this.add(offset, `${where}: expected ${expected.what}, got ${show(value)}`, expected.hint);
  }

  // ───────────────────────────── semantic checks and the Config ─────────────────────────────

  private build(data: Record<string, unknown>): Config {
    const marginal = this.percent(data.marginal) ?? DEFAULTS.marginal;
    const failOn = data['fail-on'] === 'marginal' ? 'marginal' : DEFAULTS.failOn;
    const noData = isNoData(data['no-data']) ? data['no-data'] : DEFAULTS.noData;
    const window = isWindow(data.window) ? data.window : DEFAULTS.window;
    const warmupSeconds = this.seconds(data.warmup) ?? DEFAULTS.warmupSeconds;

    const utilization = isPlainObject(data.utilization) ? this.utilization(data.utilization, ['utilization']) : undefined;
    const defaults: RuleDefaults = { marginal, noData, window, warmupSeconds };
    const rules = this.rules(data.thresholds, ['thresholds'], defaults);

    const scenarios: ScenarioConfig[] = [];
    if (isPlainObject(data.scenarios)) {
      for (const [name, raw] of Object.entries(data.scenarios)) {
        const path: Path = ['scenarios', name];
        if (!SCENARIO_NAME_RE.test(name)) {
          this.add(this.keyOffset(['scenarios'], name), `scenario name \`${name}\` is not a valid k6 scenario name; allowed: letters, digits, \`-\` and \`_\``, `e.g. \`${name.replace(/[^A-Za-z0-9_-]+/g, '-')}\``);
        }
        if (!isPlainObject(raw)) {
          if (raw === null) scenarios.push({ name, rules: [], env: {}, pos: this.posAt(this.keyOffset(['scenarios'], name)) });
          continue;
        }
        const s: ScenarioConfig = { name, rules: [], env: {}, pos: this.posAt(this.keyOffset(['scenarios'], name)) };
        if (typeof raw.script === 'string') {
          if (raw.script.trim() === '') this.add(this.offsetOf([...path, 'script']), `scenarios.${name}.script is empty`, 'the k6 script path, relative to this file, e.g. k6/smoke-test.ts');
          else s.script = raw.script;
        }
        if (isPlainObject(raw.env)) {
          for (const [k, v] of Object.entries(raw.env)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') s.env[k] = String(v);
        }
        if (isWindow(raw.window)) s.window = raw.window;
        const warm = this.seconds(raw.warmup);
        if (warm !== undefined) s.warmupSeconds = warm;
        s.rules = this.rules(raw.thresholds, [...path, 'thresholds'], {
          ...defaults,
          window: s.window ?? defaults.window,
          warmupSeconds: s.warmupSeconds ?? defaults.warmupSeconds,
        });
        scenarios.push(s);
      }
    }
    const config: Config = { file: this.file, version: 1, marginal, failOn, noData, window, warmupSeconds, rules, scenarios };
    if (utilization) config.utilization = utilization;
    if (isPlainObject(data.dashboards)) config.dashboards = this.dashboards(data.dashboards);
    return config;
  }

  private rules(raw: unknown, path: Path, defaults: RuleDefaults): ThresholdRule[] {
    const out: ThresholdRule[] = [];
    if (!isPlainObject(raw)) return out;
    for (const [key, list] of Object.entries(raw)) {
      const keyOffset = this.keyOffset(path, key);
      let selector;
      try {
        selector = parseSelector(key);
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        this.add(keyOffset, `metric key: ${err.message}`, err.hint);
        continue;
      }
      const isUtil = this.utilizationNames.has(selector.metric);
      if (isUtil && selector.tags.length) {
        this.add(keyOffset, `\`${key}\`: utilization metric ${selector.metric} has no tags to filter on`, `write \`${selector.metric}\``);
      }
      const info: MetricInfo | undefined = isUtil ? undefined : BUILTIN_METRICS.get(selector.metric);
      const allowed = isUtil ? [...SERIES_AGGREGATIONS, 'count'] : info ? allowedAggregations(info.type) : undefined;
      if (!Array.isArray(list)) continue;
      list.forEach((entry: unknown, i: number) => {
        const ePath: Path = [...path, key, i];
        let text: unknown;
        let textPath: Path;
        let obj: Record<string, unknown> | undefined;
        if (typeof entry === 'string') {
          text = entry;
          textPath = ePath;
        } else if (isPlainObject(entry)) {
          obj = entry;
          text = entry.threshold;
          textPath = [...ePath, 'threshold'];
          if (typeof text !== 'string') return; // reported by the schema
        } else {
          return;
        }
        let expression: Expression;
        try {
          expression = parseExpression(text as string);
        } catch (err) {
          if (!(err instanceof ExpressionError)) throw err;
          this.add(this.offsetOf(textPath), `${key}: ${err.message}`, err.hint);
          return;
        }
        if (allowed) {
          if (!allowed.includes(aggregationName(expression.aggregation))) {
            const what = isUtil ? 'a utilization metric (a series over the run window)' : `a ${info?.type} metric`;
            this.add(
              this.offsetOf(textPath),
              `${key}: \`${formatAggregation(expression.aggregation)}\` is not an aggregation of ${selector.metric}, ${what}; allowed: ${allowed.join(', ')}`,
              `e.g. \`${allowed[0] === 'p(N)' ? 'p(95)' : allowed[0]}${expression.text.slice(expression.text.search(/[<>=!]/))}\``,
            );
            return;
          }
        }
        const rule: ThresholdRule = {
          selector,
          expression,
          marginal: defaults.marginal,
          noData: defaults.noData,
          window: defaults.window,
          warmupSeconds: defaults.warmupSeconds,
          severity: 'error',
          pos: this.posAt(this.offsetOf(textPath)),
        };
        const explicit = { window: false, warmup: false };
        if (obj) {
          // k6's abortOnFail is accepted and not acted on; the report says so (evaluate's scenario notes)
          if (obj.abortOnFail === true) rule.abortOnFail = true;
          const m = this.percent(obj.marginal);
          if (m !== undefined) rule.marginal = m;
          if (isNoData(obj['no-data'])) rule.noData = obj['no-data'];
          if (isWindow(obj.window)) {
            rule.window = obj.window;
            explicit.window = true;
          }
          const w = this.seconds(obj.warmup);
          if (w !== undefined) {
            rule.warmupSeconds = w;
            explicit.warmup = true;
          }
          if (obj.severity === 'warn' || obj.severity === 'error') rule.severity = obj.severity;
          if (obj['min-change'] !== undefined) {
            const mc = this.minChange(obj['min-change'], [...ePath, 'min-change'], expression, info);
            if (mc !== undefined) rule.minChange = mc;
          }
        }
        markExplicit(rule, explicit);
        out.push(rule);
      });
    }
    return out;
  }

  private minChange(raw: unknown, path: Path, e: Expression, info: MetricInfo | undefined): number | undefined {
    if (!e.relative) {
      this.add(this.keyOffset(path.slice(0, -1), 'min-change'), `min-change applies only to a relative limit; \`${e.text}\` is a fixed limit`, `remove min-change, or write a relative limit such as \`${formatAggregation(e.aggregation)}<+10%\``);
      return undefined;
    }
    if (typeof raw === 'number') return raw >= 0 && Number.isFinite(raw) ? raw : undefined;
    if (typeof raw !== 'string' || !DURATION_RE.test(raw)) return undefined; // reported by the schema
    if (info && info.contains !== 'time') {
      this.add(this.offsetOf(path), `min-change ${show(raw)} is a duration, but ${info.name} is not a time metric`, `write a plain number in ${info.name}'s unit, e.g. min-change: 0.001`);
      return undefined;
    }
    return durationMs(raw);
  }

  /** A valid percentage as a fraction; anything else is undefined (the schema reported it). */
  private percent(raw: unknown): number | undefined {
    if (typeof raw === 'number') return raw >= 0 && raw <= 1 ? raw : undefined;
    if (typeof raw === 'string' && PERCENT_RE.test(raw)) return Number(raw.trim().replace(/\s*%$/, '')) / 100;
    return undefined;
  }

  /** A valid duration in seconds; anything else is undefined (the schema reported it). */
  private seconds(raw: unknown): number | undefined {
    if (typeof raw === 'number') return raw >= 0 && Number.isFinite(raw) ? raw : undefined;
    if (typeof raw === 'string' && DURATION_RE.test(raw)) return durationMs(raw) / 1000;
    return undefined;
  }

  /**
   * `dashboards:` name → URL. A URL that is not http(s) is a problem at its line; one whose `${VAR}` is
   * unset is kept as unavailable (the report says why), like a utilization source.
   */
  private dashboards(raw: Record<string, unknown>): DashboardConfig[] {
    const out: DashboardConfig[] = [];
    // in the file's order (an object puts number-like keys such as `2024` first)
    const { node } = this.nodeAt(['dashboards']);
    const names = isMap(node) ? node.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : Object.keys(raw);
    const fix = 'write the dashboard\'s name and address, e.g. `API overview: https://grafana.example.com/d/abc123/api-overview`';
    for (const name of names) {
      const url = raw[name];
      if (typeof url !== 'string') continue; // reported by the schema
      const at = this.offsetOf(['dashboards', name]);
      if (name.trim() === '') {
        this.add(this.keyOffset(['dashboards'], name), 'a dashboard needs a name', fix);
        continue;
      }
      if (url.trim() === '') {
        this.add(at, `dashboards.${name}: the URL is empty`, fix);
        continue;
      }
      const d: DashboardConfig = { name, pos: this.posAt(at) };
      const expanded = expandEnv(url.trim(), this.env);
      if ('missing' in expanded) d.unavailable = expanded.missing;
      else if (!/^https?:\/\//i.test(expanded.value) || !isUrl(expanded.value)) {
        // the expanded value is never shown: a variable may hold a secret
        const vars = [...url.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
        const what = vars.length > 0 ? `is not an http(s) URL once ${vars.map((v) => `\`${v}\``).join(', ')} ${vars.length === 1 ? 'is' : 'are'} expanded` : `${show(url)} is not an http(s) URL`;
        this.add(at, `dashboards.${name}: ${vars.length > 0 ? `${show(url)} ${what}` : what}`, vars.length > 0 ? `check the value of ${vars.join(', ')}: it must make an http(s) address` : fix);
        continue;
      } else d.url = maskValues(expanded.value, envSecrets(this.env)); // published in the PR comment: no secret variable's value
      out.push(d);
    }
    return out;
  }

  /** A source's HTTP headers with `${VAR}` expanded; a missing variable makes the source unavailable. */
  private sourceHeaders(raw: Record<string, unknown>, kind: UtilizationSourceKind): { value: Record<string, string> } | { missing: string } {
    const value: Record<string, string> = {};
    for (const [name, v] of Object.entries(raw)) {
      if (typeof v !== 'string') continue;
      const expanded = expandEnv(v, this.env);
      if ('missing' in expanded) return { missing: `${expanded.missing} (utilization.sources.${kind}.headers.${name})` };
      value[name] = expanded.value;
    }
    return { value };
  }

  private utilization(raw: Record<string, unknown>, path: Path): UtilizationConfig {
    const cfg: UtilizationConfig = { sources: {}, metrics: [], intervalSeconds: DEFAULTS.intervalSeconds, slowQueries: DEFAULTS.slowQueries };
    const interval = this.seconds(raw.interval);
    if (interval !== undefined) {
      if (interval <= 0) this.add(this.offsetOf([...path, 'interval']), 'utilization.interval must be greater than 0', 'e.g. interval: 5s');
      else cfg.intervalSeconds = interval;
    }
    if (typeof raw['slow-queries'] === 'boolean') cfg.slowQueries = raw['slow-queries'];
    if (isPlainObject(raw.sources)) {
      for (const kind of SOURCE_KINDS) {
        const src = raw.sources[kind];
        if (!isPlainObject(src) || typeof src.url !== 'string') continue;
        // checked whether or not the URL is usable here: the same file must load everywhere (a
        // number out of range is the schema's to report; a duration string's value is checked here)
        if (kind === 'prometheus' && src.timeout !== undefined) {
          const timeout = typeof src.timeout === 'number' && (src.timeout <= 0 || src.timeout > MAX_PROMETHEUS_TIMEOUT_SECONDS) ? undefined : this.seconds(src.timeout);
          const at = this.offsetOf([...path, 'sources', 'prometheus', 'timeout']);
          if (timeout === 0) this.add(at, 'utilization.sources.prometheus.timeout must be greater than 0', 'e.g. `timeout: 30s` (the default is 15s)');
          else if (timeout !== undefined && timeout > MAX_PROMETHEUS_TIMEOUT_SECONDS) this.add(at, `utilization.sources.prometheus.timeout must be at most 1h (one query; it is ${timeout} s)`, 'e.g. `timeout: 2m`');
          else if (timeout !== undefined) cfg.prometheusTimeoutSeconds = timeout;
        }
        const expanded = expandEnv(src.url, this.env);
        if ('missing' in expanded) {
          (cfg.unavailable ??= {})[kind] = expanded.missing;
        } else if (expanded.value.trim() === '') {
          (cfg.unavailable ??= {})[kind] = `utilization.sources.${kind}.url is empty`;
        } else if (!isUrl(expanded.value)) {
          (cfg.unavailable ??= {})[kind] = `utilization.sources.${kind}.url is not a valid URL`;
        } else {
          if (kind === 'prometheus' && src['scrape-wait'] !== undefined) {
            const wait = this.seconds(src['scrape-wait']);
            if (wait !== undefined) cfg.scrapeWaitSeconds = wait;
          }
          const headers = kind === 'prometheus' && isPlainObject(src.headers) ? this.sourceHeaders(src.headers, kind) : undefined;
          if (headers && 'missing' in headers) (cfg.unavailable ??= {})[kind] = headers.missing;
          else cfg.sources[kind] = headers ? { url: expanded.value, headers: headers.value } : { url: expanded.value };
        }
      }
    }
    if (isPlainObject(raw.metrics)) {
      for (const [name, m] of Object.entries(raw.metrics)) {
        const mPath: Path = [...path, 'metrics', name];
        const keyAt = this.keyOffset([...path, 'metrics'], name);
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
          this.add(keyAt, `utilization metric name \`${name}\` is not valid: allowed are letters, digits and \`_\`, not starting with a digit`, `e.g. \`${name.replace(/[^A-Za-z0-9_]+/g, '_')}\``);
          continue;
        }
        if (BUILTIN_METRICS.has(name)) {
          this.add(keyAt, `utilization metric \`${name}\` has the name of a k6 built-in metric`, 'choose another name, e.g. with a prefix such as `api_` or `pg_`');
          continue;
        }
        this.utilizationNames.add(name);
        if (!isPlainObject(m)) continue;
        const hasPreset = typeof m.preset === 'string';
        const hasProm = typeof m.prometheus === 'string';
        if (hasPreset === hasProm) {
          this.add(keyAt, hasPreset ? `utilization metric ${name} has both \`preset\` and \`prometheus\`` : `utilization metric ${name} needs \`preset\` or \`prometheus\``, `e.g. \`${name}: { preset: postgres.connections }\` or \`${name}: { prometheus: 'sum(up)' }\`; presets: ${PRESET_NAMES.join(', ')}`);
        }
        if (hasProm && (m.prometheus as string).trim() === '') {
          this.add(this.offsetOf([...mPath, 'prometheus']), `utilization metric ${name}: the PromQL expression is empty`, `e.g. \`${name}: { prometheus: 'sum(rate(http_requests_total[1m]))' }\`, or use a preset`);
        }
        const preset = typeof m.preset === 'string' ? m.preset : undefined;
        if (preset?.startsWith('k8s.') && m.namespace === undefined) {
          this.add(keyAt, `utilization metric ${name}: preset ${preset} needs \`namespace\``, `e.g. \`${name}: { preset: ${preset}, namespace: preview, workload: api }\``);
        }
        const params: Record<string, string> = {};
        for (const p of PRESET_PARAMS) if (typeof m[p] === 'string') params[p] = m[p];
        const mc: UtilizationMetricConfig = { name, params, pos: this.posAt(keyAt) };
        if (hasProm) {
          mc.prometheus = m.prometheus as string;
          mc.exprPos = this.posAt(this.offsetOf([...mPath, 'prometheus']));
        }
        if (preset !== undefined) mc.preset = preset;
        if (typeof m.unit === 'string') {
          if (UNIT_NAMES.includes(m.unit)) mc.unit = m.unit;
          else this.add(this.offsetOf([...mPath, 'unit']), `utilization metric ${name}: unknown unit ${show(m.unit)}; allowed: ${UNIT_NAMES.join(', ')}.${didYouMean(m.unit, UNIT_NAMES)}`, 'the unit only formats the report; leave it out for a plain number');
        }
        cfg.metrics.push(mc);
      }
    }
    return cfg;
  }
}

interface RuleDefaults {
  marginal: number;
  noData: NoDataPolicy;
  window: WindowMode;
  warmupSeconds: number;
}

type Issue = z.core.$ZodIssue & { keys?: string[]; values?: unknown[]; errors?: unknown[][] };

// ───────────────────────────── helpers ─────────────────────────────

/** `${VAR}` (and `${VAR:-default}`) from env; a missing or empty variable names what is missing, never the value. */
export function expandEnv(text: string, env: Record<string, string | undefined>): { value: string } | { missing: string } {
  const missing: string[] = [];
  const value = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_all, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  if (missing.length) return { missing: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set` };
  return { value };
}

function isUrl(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** `1m30s` → 90000, `5ms` → 5, `1.5s` → 1500 (no rounding). */
export function durationMs(text: string): number {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * (unit[m[2] as string] as number);
  return total;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNoData(v: unknown): v is NoDataPolicy {
  return v === 'pass' || v === 'warn' || v === 'fail';
}

function isWindow(v: unknown): v is WindowMode {
  return v === 'all' || v === 'steady';
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isPlainObject(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'nothing (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v}`;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `\`${v.length > 60 ? `${v.slice(0, 57)}...` : v}\``;
  if (typeof v === 'number' || typeof v === 'boolean') return `\`${v}\``;
  return typeName(v);
}

/** `scenarios.smoke.thresholds.http_req_duration[0]`. */
function describePath(path: Path): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s;
}

const EXPRESSION_WHAT = 'an expression string such as "p(99)<500", or an object like { threshold: "p(99)<500", marginal: 5% }';

function isThresholdsPath(path: Path, depth: number): boolean {
  // ['thresholds', key, ...] or ['scenarios', name, 'thresholds', key, ...]
  const i = path[0] === 'thresholds' ? 0 : path[0] === 'scenarios' && path[2] === 'thresholds' ? 2 : -1;
  return i >= 0 && path.length === i + depth;
}

function expectedAt(path: Path, value: unknown): { what: string; hint?: string } {
  const last = path[path.length - 1];
  if (isThresholdsPath(path, 3)) return { what: EXPRESSION_WHAT, hint: 'quote the expression: `"p(99)<500"`, or write `{ threshold: "p(99)<500", marginal: 5% }`' };
  if (isThresholdsPath(path, 2)) return { what: 'a list of expressions, e.g. ["p(95)<400", "p(99)<500"]', hint: expressionListHint(String(last), value) };
  if (isThresholdsPath(path, 1)) return { what: 'a map of metric key → list of expressions', hint: thresholdsMapHint(value) };
  switch (last) {
    case 'marginal':
      return { what: 'a percentage from 0% to 100% (e.g. 10%), or a fraction from 0 to 1', hint: 'e.g. `marginal: 10%`' };
    case 'warmup':
    case 'interval':
    case 'scrape-wait':
      return { what: 'seconds (a non-negative number) or a duration such as 30s, 1m30s, 500ms', hint: `e.g. \`${String(last)}: 30s\`` };
    case 'timeout':
      return { what: 'seconds (more than 0, at most 3600) or a duration such as 30s, 2m, at most 1h', hint: 'e.g. `timeout: 30s` (the default is 15s)' };
    case 'min-change':
      return { what: "a non-negative number in the metric's unit (ms for time metrics) or a duration such as 5ms", hint: 'e.g. `min-change: 5ms`' };
    case 'threshold':
      return { what: 'a k6 threshold expression string such as "p(99)<500"', hint: 'e.g. `threshold: "p(99)<500"`' };
    case 'version':
      return { what: 'the number 1', hint: 'write `version: 1`' };
    case 'scenarios':
    {
      // `scenarios: smoke` → the scenario `smoke` as a map entry
      const name = typeof value === 'string' && SCENARIO_NAME_RE.test(value) ? value : 'smoke';
      return { what: 'a map of scenario name → { script, env, thresholds }', hint: `write one scenario per line under it:\nscenarios:\n  ${name}:\n    script: k6/${name}-test.ts` };
    }
    case 'utilization':
      return { what: 'a map with sources, metrics, interval, slow-queries', hint: 'write a map:\nutilization:\n  sources:\n    prometheus: { url: "${PROMETHEUS_URL}" }\n  metrics:\n    api_cpu: { preset: k8s.cpu, namespace: preview }' };
    case 'sources':
      return { what: 'a map with prometheus, postgres, redis: { url: "${VAR}" }', hint: 'e.g. `sources: { postgres: { url: "${DATABASE_URL}" } }`' };
    case 'metrics':
      return { what: 'a map of metric name → { preset: … } or { prometheus: "PromQL" }', hint: 'e.g. `metrics: { pg_connections: { preset: postgres.connections } }`' };
    case 'url':
      return { what: 'a URL string, e.g. "${DATABASE_URL}"', hint: 'e.g. `url: "${DATABASE_URL}"`' };
    case 'headers':
      return { what: 'a map of HTTP header name → value', hint: 'e.g. `headers: { Authorization: "Bearer ${PROMETHEUS_TOKEN}" }`' };
    case 'prometheus':
    case 'postgres':
    case 'redis':
      if (path.length === 3 && path[1] === 'sources') {
        const url = typeof value === 'string' ? value : `\${${String(last).toUpperCase()}_URL}`;
        return { what: `a map with url${last === 'prometheus' ? ' (and headers, scrape-wait, timeout)' : ''}`, hint: `write \`${String(last)}: { url: "${url}" }\`` };
      }
      break;
    case 'dashboards':
      return { what: 'a map of dashboard name → URL', hint: 'e.g.\ndashboards:\n  API overview: https://grafana.example.com/d/abc123/api-overview' };
    case 'slow-queries':
    case 'abortOnFail':
      return { what: 'true or false', hint: `write \`${String(last)}: true\` or \`${String(last)}: false\`` };
    case 'env':
      return { what: 'a map of variable name → value', hint: 'e.g. `env: { PAGES: 5, BASE_PATH: /api }`' };
  }
  if (path.length === 2 && path[0] === 'dashboards') return { what: 'the dashboard\'s URL', hint: `e.g. \`${String(last)}: https://grafana.example.com/d/abc123/api-overview\`` };
  if (path.length >= 2 && path[path.length - 2] === 'env') return { what: 'a string, number or boolean', hint: `write a single value, e.g. \`${String(last)}: "value"\`` };
  if (path.length === 2 && path[0] === 'scenarios') {
    return { what: 'a map with script, env, thresholds, window, warmup', hint: `e.g. \`${String(last)}: { script: k6/${String(last)}.ts }\`, or \`${String(last)}:\` with nothing after it for the defaults` };
  }
  if (path.length === 3 && path[0] === 'utilization' && path[1] === 'metrics') {
    return { what: 'a map { preset: … } or { prometheus: "PromQL" }', hint: `e.g. \`${String(last)}: { preset: postgres.connections }\` or \`${String(last)}: { prometheus: 'sum(up)' }\`` };
  }
  // script, description, unit, prometheus, delayAbortEval and the preset parameters
  const scalar = typeof value === 'number' || typeof value === 'boolean';
  return { what: 'a string', hint: scalar ? `quote it: \`${String(last)}: "${String(value)}"\`` : `write one string, e.g. \`${String(last)}: "…"\`` };
}

function requiredHint(path: Path): string | undefined {
  const last = path[path.length - 1];
  if (last === 'version') return 'add `version: 1` at the top of the file';
  if (last === 'threshold') return 'e.g. { threshold: "p(99)<500", marginal: 5% }';
  if (last === 'url') return 'e.g. { url: "${DATABASE_URL}" }';
  return undefined;
}

function shapeKeys(schema: unknown): string[] {
  return Object.keys((schema as { shape: Record<string, unknown> }).shape);
}

/** The keys allowed in the map at `path` (for unknown-key messages). */
function allowedKeys(path: Path): string[] {
  const top = configSchema.shape;
  if (path.length === 0) return shapeKeys(configSchema);
  if (isThresholdsPath(path, 3)) return shapeKeys(expressionObjectSchema);
  if (path[0] === 'scenarios' && path.length === 2) return shapeKeys(top.scenarios.unwrap().valueType.unwrap());
  if (path[0] === 'utilization') {
    const u = top.utilization.unwrap();
    if (path.length === 1) return shapeKeys(u);
    if (path[1] === 'sources' && path.length === 2) return shapeKeys(u.shape.sources.unwrap());
    if (path[1] === 'sources' && path.length === 3) return path[2] === 'prometheus' ? ['url', 'headers', 'scrape-wait', 'timeout'] : ['url'];
    if (path[1] === 'metrics' && path.length === 3) return shapeKeys(u.shape.metrics.unwrap().valueType);
  }
  return [];
}
