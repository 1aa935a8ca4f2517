// Where JSON text breaks, said in plain words with a line and column: for the files perf-gate reads
// as one JSON document (a k6 end-of-test summary, a baseline report), once JSON.parse has refused them.

/** 1-based line and column of `offset` in `text` (`\n`, `\r\n` and a lone `\r` end a line; columns count UTF-16 units, as editors do). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let start = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** The character at `i` as a message names it. */
function foundAt(text: string, i: number): string {
  if (i >= text.length) return 'the end of the file';
  const c = text.charCodeAt(i);
  if (c === 10 || c === 13) return 'a line break';
  if (c === 9) return 'a tab';
  if (c < 0x20 || c === 0x7f || c === 0xfffd) return `the character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const word = /[A-Za-z_$][\w$]*/y;
  word.lastIndex = i;
  const m = word.exec(text);
  if (m) return `\`${m[0].length > 20 ? `${m[0].slice(0, 20)}…` : m[0]}\``;
  return `\`${String.fromCodePoint(text.codePointAt(i)!)}\``;
}

const VALUE = 'a value (an object, a list, a string in double quotes, a number, true, false or null)';

/** Where JSON text first breaks, and what is wrong there in plain words. */
export interface JsonSyntaxError {
  offset: number;
  message: string;
  /** The text is one valid JSON value followed by more (NDJSON, or a value pasted twice). */
  afterValue?: boolean;
}

/**
 * The first JSON syntax error in `text` (one JSON value), in plain words, with its offset; undefined
 * when `text` is one valid JSON value. Iterative: any nesting depth. Node 20's JSON.parse messages
 * carry no line or column, so this runs once JSON.parse has failed.
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  const stack: number[] = []; // offsets of the open `{` / `[`
  let i = 0;
  let state: 'value' | 'first-item' | 'key' | 'first-key' | 'after' = 'value';
  let comma = -1; // offset of the comma just read, for "no comma after the last item"
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
  };
  const cutOff = (): { offset: number; message: string } => {
    const open = stack.length > 0 ? stack[stack.length - 1]! : undefined;
    if (open === undefined) return { offset: n, message: `the file ends where ${VALUE} belongs (was it cut off?)` };
    const at = lineColumn(text, open);
    const kind = text[open] === '{' ? 'object' : 'list';
    return { offset: n, message: `the file ends before the ${kind} opened at line ${at.line}, column ${at.column} is closed (was it cut off?)` };
  };
  const quoteHint = (c: string | undefined): string => (c === "'" ? ' (JSON strings take double quotes)' : '');
  const string = (): { offset: number; message: string } | undefined => {
    const start = i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return undefined;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === undefined) break;
        if ('"\\/bfnrt'.includes(e)) {
          i += 2;
          continue;
        }
        if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
          i += 6;
          continue;
        }
        if (e === 'u') return { offset: i, message: '`\\u` in a string must be followed by four hex digits' };
        return { offset: i, message: `\`\\${e}\` is not an escape JSON knows (write \`\\\\\` for a backslash)` };
      }
      if (c === 10 || c === 13) {
        const at = lineColumn(text, start);
        return { offset: i, message: `a line break inside the string that starts at line ${at.line}, column ${at.column} (is its closing \`"\` missing?)` };
      }
      if (c < 0x20) return { offset: i, message: `the control character U+${c.toString(16).toUpperCase().padStart(4, '0')} inside a string (write it as \\u${c.toString(16).padStart(4, '0')})` };
      i++;
    }
    const at = lineColumn(text, start);
    return { offset: n, message: `the file ends inside the string that starts at line ${at.line}, column ${at.column} (was it cut off?)` };
  };
  for (;;) {
    ws();
    const c = text[i];
    if (state === 'value' || state === 'first-item') {
      if (c === undefined) return cutOff();
      if (c === ']' && state === 'first-item') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (c === ']' && comma >= 0) return { offset: comma, message: 'a comma after the last item of a list (JSON allows none)' };
      if (c === ',' && comma >= 0) return { offset: i, message: 'two commas in a row' };
      comma = -1;
      if (c === '{' || c === '[') {
        stack.push(i++);
        state = c === '{' ? 'first-key' : 'first-item';
        continue;
      }
      if (c === '"') {
        const e = string();
        if (e) return e;
        state = 'after';
        continue;
      }
      if (c === '-' || (c >= '0' && c <= '9')) {
        const token = /[-+\w.]+/y;
        token.lastIndex = i;
        const t = token.exec(text)![0];
        // a number the text ends in the middle of (`1.`, `1e`, `-`): cut short
        if (i + t.length === n && /^-?(?:0|[1-9]\d*)?(?:\.\d*)?(?:[eE][+-]?\d*)?$/.test(t) && !/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t)) return cutOff();
        if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t)) {
          return { offset: i, message: `\`${t.length > 20 ? `${t.slice(0, 20)}…` : t}\` is not a JSON number${/^-?0\d/.test(t) ? ' (no leading zeros)' : /Infinity|NaN/.test(t) ? ' (JSON has no Infinity or NaN)' : ''}` };
        }
        i += t.length;
        state = 'after';
        continue;
      }
      const word = /[A-Za-z_$][\w$]*/y;
      word.lastIndex = i;
      const w = word.exec(text)?.[0];
      if (w === 'true' || w === 'false' || w === 'null') {
        i += w.length;
        state = 'after';
        continue;
      }
      // the text ends inside `true`, `false` or `null`: cut short
      if (w !== undefined && i + w.length === n && ['true', 'false', 'null'].some((k) => k.startsWith(w))) return cutOff();
      return { offset: i, message: `expected ${VALUE}, found ${foundAt(text, i)}${w === 'NaN' || w === 'Infinity' ? ' (JSON has no Infinity or NaN)' : quoteHint(c)}` };
    }
    if (state === 'key' || state === 'first-key') {
      if (c === undefined) return cutOff();
      if (c === '}' && state === 'first-key') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (c === '}' && comma >= 0) return { offset: comma, message: 'a comma after the last field of an object (JSON allows none)' };
      if (c === ',' && comma >= 0) return { offset: i, message: 'two commas in a row' };
      comma = -1;
      if (c !== '"') return { offset: i, message: `expected a field name in double quotes, found ${foundAt(text, i)}${quoteHint(c)}` };
      const e = string();
      if (e) return e;
      ws();
      if (text[i] !== ':') return text[i] === undefined ? cutOff() : { offset: i, message: `expected \`:\` after the field name, found ${foundAt(text, i)}` };
      i++;
      state = 'value';
      continue;
    }
    // after a value
    if (stack.length === 0) {
      if (c === undefined) return undefined;
      return { offset: i, message: `more content after the end of the JSON value (found ${foundAt(text, i)})`, afterValue: true };
    }
    if (c === undefined) return cutOff();
    const inObject = text[stack[stack.length - 1]!] === '{';
    if (c === ',') {
      comma = i++;
      state = inObject ? 'key' : 'value';
      continue;
    }
    if (c === (inObject ? '}' : ']')) {
      stack.pop();
      i++;
      continue;
    }
    return { offset: i, message: inObject ? `expected \`,\` or \`}\` after a field's value, found ${foundAt(text, i)}` : `expected \`,\` or \`]\` after a list item, found ${foundAt(text, i)}` };
  }
}

/**
 * Offset of the value at `path` (object keys, from the root) in `text`, which JSON.parse has accepted;
 * undefined when the path is not there. Where an object repeats a key, the last one counts, as in
 * JSON.parse. Iterative, so any nesting depth.
 */
export function jsonPathOffset(text: string, path: readonly string[]): number | undefined {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
  };
  const skipString = (): void => {
    for (i++; i < n; ) {
      const c = text.charCodeAt(i);
      if (c === 92) i += 2;
      else {
        i++;
        if (c === 34) return;
      }
    }
  };
  const skipValue = (): void => {
    const c = text.charCodeAt(i);
    if (c === 34) return skipString();
    if (c !== 123 && c !== 91) {
      while (i < n && !/[\s,\]}]/.test(text[i]!)) i++;
      return;
    }
    let depth = 0;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 34) {
        skipString();
        continue;
      }
      i++;
      if (d === 123 || d === 91) depth++;
      else if ((d === 125 || d === 93) && --depth === 0) return;
    }
  };
  for (const want of path) {
    ws();
    if (text.charCodeAt(i) !== 123) return undefined;
    i++;
    let last = -1;
    for (;;) {
      ws();
      if (i >= n || text.charCodeAt(i) !== 34) break; // `}` (or text JSON.parse would not have taken)
      const keyStart = i;
      skipString();
      const key = JSON.parse(text.slice(keyStart, i)) as string;
      ws();
      i++; // the colon
      ws();
      if (key === want) last = i;
      skipValue();
      ws();
      if (text.charCodeAt(i) === 44) i++;
    }
    if (last < 0) return undefined;
    i = last;
  }
  return i;
}
