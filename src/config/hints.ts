// The "fix:" lines of thresholds.yml problems: how to write the thing instead, in the user's own terms
// where possible (their key, their value). Shared by every check so the same mistake gets the same fix.
import { ExpressionError, parseExpression, parseSelector } from './expression.js';
import { closest } from './suggest.js';

/** `key: value` as a line of YAML, quoting a key that YAML would misread (`{`, `:`, `#`…). */
export function yamlLine(key: string, value: string): string {
  return `${yamlKey(key)}: ${value}`;
}

function yamlKey(key: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(key) ? key : JSON.stringify(key);
}

/** A flow list of strings: `["p(95)<400", "p(99)<500"]`. */
export function flowList(items: readonly string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Indents every line after the first by `width` spaces (a multi-line fix under its `fix:` label). */
export function indentHint(hint: string, width: number): string {
  return hint.replace(/\n/g, `\n${' '.repeat(width)}`);
}

// ───────────────────────────── enumerations ─────────────────────────────

/** What each value of an enumeration means, for fixes that offer a choice. */
const MEANINGS: Record<string, Record<string, string>> = {
  'fail-on': { fail: 'only failing criteria fail the gate; the default', marginal: 'marginal criteria fail the gate too' },
  'no-data': { pass: 'reported only', warn: 'the verdict is at best CONDITIONALLY_APPROVED; the default', fail: 'fails the gate' },
  window: { all: 'the whole run; the default', steady: 'only while VUs are at their peak' },
  severity: { error: 'fails the gate; the default', warn: 'reported, never fails the gate' },
  source: { direct: 'read the service directly', prometheus: 'read its exporter in Prometheus' },
};

/** Words people write for an allowed value (`severity: warning`, `fail-on: warn`). */
const SYNONYMS: Record<string, Record<string, string>> = {
  'fail-on': { error: 'fail', failure: 'fail', failed: 'fail' },
  'no-data': { ignore: 'pass', skip: 'pass', ok: 'pass', warning: 'warn', error: 'fail' },
  window: { full: 'all', whole: 'all', run: 'all', peak: 'steady', 'steady-state': 'steady', steady_state: 'steady' },
  severity: { warning: 'warn', info: 'warn', fail: 'error', failure: 'error', critical: 'error' },
};

/**
 * The fix for a value outside an enumeration: the likely intended value when there is one
 * (`no-data: wrn` → `no-data: warn`), else each allowed value with what it means.
 */
export function enumHint(key: string, value: unknown, allowed: readonly string[]): string {
  const text = typeof value === 'string' ? value.trim() : String(value);
  const intended = closest(text, allowed) ?? SYNONYMS[key]?.[text.toLowerCase()];
  const meaning = MEANINGS[key];
  if (intended !== undefined && allowed.includes(intended)) {
    const why = meaning?.[intended];
    return `write \`${yamlLine(key, intended)}\`${why ? ` (${why})` : ''}`;
  }
  if (allowed.length > 4 || meaning === undefined) return `write one of the allowed values, e.g. \`${yamlLine(key, allowed[0] ?? '')}\``;
  return `write ${orList(allowed.map((v) => `\`${yamlLine(key, v)}\`${meaning[v] ? ` (${meaning[v]})` : ''}`))}`;
}

// ───────────────────────────── shapes ─────────────────────────────

const DEFAULT_KEY = 'http_req_duration';
const DEFAULT_EXPRESSION = 'p(95)<400';

/** Whether `parse` reads `text` without an ExpressionError (anything else is thrown on). */
function parses(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch (err) {
    if (err instanceof ExpressionError) return false;
    throw err;
  }
}
const isExpression = (text: string): boolean => parses(parseExpression, text);
const isSelector = (text: string): boolean => parses(parseSelector, text);

/** Expressions written in one string, `p(95)<400, p(99)<500` or `p(95)<400 p(99)<500`, when they all parse. */
function splitExpressions(text: string): string[] | undefined {
  const unquote = (s: string) => s.trim().replace(/^["']|["']$/g, '');
  const t = unquote(text.trim().replace(/^[-[\s]+|[\]\s]+$/g, ''));
  if (t === '') return undefined;
  if (isExpression(t)) return [t];
  const parts = t
    .split(/\s*,\s*|\s+-\s+/)
    .map(unquote)
    .filter((s) => s !== '');
  if (parts.length > 1 && parts.every(isExpression)) return parts;
  const words = t.split(/\s+/);
  if (words.length > 1 && words.every(isExpression)) return words;
  return undefined;
}

/** A metric key and its expressions read out of a one-line string such as `http_req_duration p(95)<400`. */
function entryFromString(text: string): { key: string; expressions: string[] } | undefined {
  const m = /^\s*([^\s:]+(?:\{[^}]*\})?)\s*:?\s+(.+)$/.exec(text);
  if (!m) return undefined;
  const key = m[1] as string;
  const expressions = splitExpressions(m[2] as string);
  if (!expressions || !isSelector(key)) return undefined;
  return { key, expressions };
}

/**
 * The fix for `thresholds` that is not a map: the right shape, built from what was written when it
 * can be read (`thresholds: "http_req_duration p(95)<400"`), else a generic example.
 */
export function thresholdsMapHint(value: unknown): string {
  const lines: string[] = [];
  if (typeof value === 'string') {
    const entry = entryFromString(value);
    if (entry) lines.push(yamlLine(entry.key, flowList(entry.expressions)));
  } else if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'string' && isExpression(v))) lines.push(yamlLine(DEFAULT_KEY, flowList(value as string[])));
    else if (value.every((v) => typeof v === 'string' && entryFromString(v) !== undefined)) {
      for (const v of value as string[]) {
        const entry = entryFromString(v) as { key: string; expressions: string[] };
        lines.push(yamlLine(entry.key, flowList(entry.expressions)));
      }
    } else if (value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
      // `- http_req_duration: [...]` items: the same keys without the dashes
      for (const item of value as Record<string, unknown>[]) {
        for (const [key, list] of Object.entries(item)) {
          if (Array.isArray(list) && list.every((e) => typeof e === 'string')) lines.push(yamlLine(key, flowList(list as string[])));
          else if (typeof list === 'string') lines.push(yamlLine(key, flowList(splitExpressions(list) ?? [list])));
        }
      }
    }
  }
  if (lines.length === 0) lines.push(yamlLine(DEFAULT_KEY, flowList([DEFAULT_EXPRESSION])));
  const lead = value === null ? 'list metric keys under it, each with a list of expressions (or remove the empty `thresholds:`):' : 'write a map, one metric key per line, each with a list of expressions:';
  return `${lead}\nthresholds:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** An expression that suits `metric` (a built-in's type, else a latency limit). */
function exampleExpression(metric: string): string {
  if (metric === 'http_req_failed') return 'rate<0.01';
  if (metric === 'checks' || metric === 'availability') return 'rate>0.99';
  if (metric === 'vus' || metric === 'vus_max') return 'max<=100';
  if (['http_reqs', 'iterations', 'dropped_iterations', 'data_sent', 'data_received'].includes(metric)) return 'rate>=100';
  return DEFAULT_EXPRESSION;
}

/** A map of scalars on one line, `{ threshold: "p(99)<500", marginal: 5% }`, or undefined when a value is not a scalar. */
function flowMap(value: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') parts.push(`${yamlKey(k)}: ${/^[A-Za-z0-9_.%-]+$/.test(v) ? v : JSON.stringify(v)}`);
    else if (typeof v === 'number' || typeof v === 'boolean') parts.push(`${yamlKey(k)}: ${String(v)}`);
    else return undefined;
  }
  return `{ ${parts.join(', ')} }`;
}

/** The fix for a metric key whose value is not a list: the same expression(s), or the same object, in a list. */
export function expressionListHint(key: string, value: unknown): string {
  const metric = key.split('{')[0]?.trim() ?? key;
  const why = '(k6 thresholds are always a list, even for one expression)';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const map = flowMap(value as Record<string, unknown>);
    if (map !== undefined) return `write \`${yamlLine(key, `[${map}]`)}\` ${why}`;
  }
  const expressions = typeof value === 'string' ? (splitExpressions(value) ?? [value]) : [exampleExpression(metric)];
  return `write \`${yamlLine(key, flowList(expressions))}\` ${why}`;
}

/** The fix for an unknown key: rename a misspelling, move a metric key under `thresholds:`, or remove it. */
export function unknownKeyHint(key: string, allowed: readonly string[], topLevel: boolean, value: unknown): string {
  const c = closest(key, allowed);
  if (c !== undefined && c !== key) return `rename \`${key}\` to \`${c}\``;
  if (topLevel && Array.isArray(value) && isSelector(key)) return `metric keys go under \`thresholds:\`; indent \`${key}:\` below a \`thresholds:\` line`;
  return `remove \`${key}\`, or use one of the allowed keys`;
}

// ───────────────────────────── YAML syntax ─────────────────────────────

/** What the loader knows about a YAML error beyond the `yaml` package's code and message. */
export interface YamlErrorContext {
  /** The text of the line the error is on. */
  lineText: string;
  /** For a duplicate key: the key, the line of its first occurrence, and whether both values are lists. */
  duplicate?: { key: string; firstLine: number; lists: boolean };
  /** For a `[` (list) or `{` (map) that is not closed: the line it was opened on. */
  opened?: { list?: number; map?: number };
}

const GENERIC_YAML_FIX = 'fix the YAML syntax (indentation, quotes, a missing `:`)';
/** The fix for a `[` or `{` that is not closed, naming the line it was opened on when known. */
function closeHint(kind: 'list' | 'map', openedLine: number | undefined): string {
  const [open, close, example] = kind === 'list' ? ['[', ']', '`key: ["a", "b"]`'] : ['{', '}', '`{ threshold: "p(99)<500" }`'];
  const which = openedLine === undefined ? `the ${kind}` : `the \`${open}\` opened on line ${openedLine}`;
  return `close ${which} with \`${close}\` on the same line (${example}); if it goes on over several lines, indent them more than its key`;
}
const BLOCK_TEXT = 'indent every line of the `|` or `>` text the same, more than its key, or write the value in quotes on one line';

/** The fix for an error of the `yaml` package, by its `code` (and, where one code covers several mistakes, its message). */
export function yamlErrorHint(code: string, message: string, ctx: YamlErrorContext): string {
  switch (code) {
    case 'DUPLICATE_KEY': {
      const d = ctx.duplicate;
      if (!d) return 'each key may appear once in a map: merge the two entries, or remove one';
      return d.lists
        ? `\`${d.key}\` is already on line ${d.firstLine}: merge the two lists into one \`${d.key}:\` entry, or remove one`
        : `\`${d.key}\` is already on line ${d.firstLine}: keep one \`${d.key}:\` and remove the other`;
    }
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs (YAML does not allow tabs in indentation), e.g. 2 spaces per level';
    case 'BAD_INDENT':
      if (/Flow sequence/.test(message)) return closeHint('list', ctx.opened?.list);
      if (/Flow map/.test(message)) return closeHint('map', ctx.opened?.map);
      if (/mapping items/.test(message)) return 'start this key in the same column as the other keys of its map (the same number of spaces)';
      if (/sequence items/.test(message)) return 'start every `- ` item of this list in the same column';
      if (/Block scalar/.test(message)) return BLOCK_TEXT;
      return 'indent the lines of this value more than its key, with spaces';
    case 'MISSING_CHAR': {
      if (/Flow sequence/.test(message)) return closeHint('list', ctx.opened?.list);
      if (/Flow map/.test(message)) return closeHint('map', ctx.opened?.map);
      if (/Block scalar/.test(message)) return BLOCK_TEXT;
      const quote = /Missing closing (["'])quote/.exec(message);
      if (quote) return `close the string with \`${quote[1]}\` (or remove the opening one)`;
      if (/followed by map values/.test(message)) return 'add `:` after the key (`key: value`), or remove the stray text';
      if (/Missing , or :|Missing ,/.test(message)) return 'separate the items with `,`, e.g. `["p(95)<400", "p(99)<500"]`';
      if (/Missing space after :/.test(message)) return 'put a space after `:`, e.g. `{ threshold: "p(99)<500" }`';
      if (/Comments must be separated/.test(message)) return 'put a space before `#` (or quote a value that contains `#`)';
      if (/Tags and anchors/.test(message)) return 'put a space after the anchor or tag, e.g. `&name [...]`';
      if (/without - indicator/.test(message)) return 'start each list item with `- `, in the same column as the others';
      if (/directives-end/.test(message)) return 'remove the `%` directive line (thresholds.yml needs none), or follow it with a `---` line';
      return GENERIC_YAML_FIX;
    }
    case 'MULTILINE_IMPLICIT_KEY': {
      const bare = /^\s*(?:-\s+)?([^\s:#"'[\]{}]+)\s*$/.exec(ctx.lineText);
      if (bare) return `end the key with \`:\`: \`${bare[1]}:\``;
      return 'end each key with `:` and keep a key and the start of its value on one line';
    }
    case 'BLOCK_AS_IMPLICIT_KEY':
      if (/Nested mappings/.test(message)) return 'put the nested key on the next line, indented under its parent (`parent:` then `  key: value`), or use braces: `parent: { key: value }`';
      return 'end the key above with `:` and start every `- ` item of the list in the same column, indented under it';
    case 'UNEXPECTED_TOKEN': {
      if (/block-seq-ind on same line/.test(message)) return 'put `- item` lines on the lines below the key, indented, or write the list in brackets: `key: ["a", "b"]`';
      if (/Unexpected , in|Unexpected empty item/.test(message)) return 'remove the extra `,`';
      const closer = /flow-(seq|map)-end token/.exec(message);
      if (closer) return closer[1] === 'seq' ? 'remove the extra `]`, or add the `[` it closes' : 'remove the extra `}`, or add the `{` it closes';
      if (/Block scalar header/.test(message)) return 'after `|` or `>` only `-`, `+` or an indentation digit may follow on that line';
      if (/at node end/.test(message)) return 'remove the text after the value, or quote the whole value (a value that contains `"` goes in single quotes)';
      return 'remove the unexpected text, or quote the value it belongs to';
    }
    case 'BLOCK_IN_FLOW':
      return 'inside `[ ]` or `{ }` write the items on one line separated by `,` (no `- ` items, no indented keys), e.g. `{ threshold: "p(99)<500", marginal: 5% }`';
    case 'BAD_SCALAR_START': {
      const ch = /character (\S+)/.exec(message)?.[1];
      return `quote the value: a value that starts with ${ch ? `\`${ch}\`` : 'a YAML indicator'} must be in quotes, e.g. "${ch === '%' ? '10%' : '…'}"`;
    }
    case 'BAD_DQ_ESCAPE':
      return 'in double quotes write a backslash as `\\\\`, or use single quotes';
    case 'BAD_ALIAS':
      return 'quote the value: in YAML `*` starts an alias and `&` an anchor, e.g. "*"';
    case 'MULTIPLE_DOCS':
      return 'keep one YAML document: remove the `---` line and merge what follows it into the first';
    case 'KEY_OVER_1024_CHARS':
      return 'shorten the key: at most 1024 characters before its `:`';
    case 'NON_STRING_KEY':
      return 'write the key as a plain string (a metric name, a scenario name…), not a list, a map or a tagged value';
    case 'TAG_RESOLVE_FAILED':
      return 'remove the `!…` tag: thresholds.yml needs no YAML tags';
    case 'MULTIPLE_ANCHORS':
    case 'MULTIPLE_TAGS':
    case 'BAD_PROP_ORDER':
    case 'ALIAS_PROPS':
      return 'give a value at most one anchor (`&name`) and no tags';
    default:
      return GENERIC_YAML_FIX;
  }
}
