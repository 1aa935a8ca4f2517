// k6's error lines on stderr: which lines are kept and how (logfmt records decoded, plain lines as
// written, info/warn skipped, masked, cut, the last five), and the RunRecord of a failed run carries them.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { K6_ERROR_LINES_KEPT, K6_ERROR_TEXT_MAX, k6ErrorCollector, k6ErrorLines, parseLogfmt, unquoteGo } from '../../src/k6/stderr.js';
import { envSecrets } from '../../src/mask.js';
import { K6_DOUBLE, runScript, scenarioScript, tempDir } from './helpers.js';

// As k6 writes them without a TTY (logrus' text formatter: logfmt, values Go-quoted when needed).
const SCRIPT_EXCEPTION =
  'time="2026-01-01T10:00:00Z" level=error msg="ReferenceError: foo is not defined\\n\\tat default (file:///k6/x.ts:10:5(12))\\n\\tat call (native)\\n" hint="script exception"';
const INFO = 'time="2026-01-01T10:00:00Z" level=info msg="Running scenario" scenario=default';
const WARN = 'time="2026-01-01T10:00:01Z" level=warning msg="Request Failed" error="Get \\"http://127.0.0.1:9/\\": dial tcp 127.0.0.1:9: connect: connection refused"';
const REQUEST_ERROR =
  'time="2026-01-01T10:00:02Z" level=error msg="Request Failed" error="Get \\"https://alice:s3cret@preview.example.com/api\\": dial tcp: lookup preview.example.com: no such host"';
const QUOTED = 'time="2026-01-01T10:00:03Z" level=error msg="GoError: \\"tenant\\" is not a \\\\path\\\\ (\\tx)" source=console';
const FATAL = 'time="2026-01-01T10:00:04Z" level=fatal msg="could not initialize \'k6/x/sql\': unknown module"';

describe('parseLogfmt', () => {
  it('reads k6 logfmt: quoted values unescaped, bare values as written', () => {
    expect(parseLogfmt(SCRIPT_EXCEPTION)).toEqual({
      time: '2026-01-01T10:00:00Z',
      level: 'error',
      msg: 'ReferenceError: foo is not defined\n\tat default (file:///k6/x.ts:10:5(12))\n\tat call (native)\n',
      hint: 'script exception',
    });
    expect(parseLogfmt(QUOTED)?.msg).toBe('GoError: "tenant" is not a \\path\\ (\tx)');
    expect(parseLogfmt(INFO)).toMatchObject({ level: 'info', scenario: 'default' });
  });

  it('is undefined for lines that are not logfmt records', () => {
    expect(parseLogfmt('panic: runtime error: index out of range [3] with length 3')).toBeUndefined();
    expect(parseLogfmt('Uncaught (in promise) TypeError: x level=error')).toBeUndefined();
    expect(parseLogfmt('time="2026-01-01T10:00:00Z" msg="no level"')).toBeUndefined();
    expect(parseLogfmt('level=error msg="unterminated')).toBeUndefined();
  });

  it('unquoteGo decodes Go escapes and leaves unknown ones', () => {
    expect(unquoteGo('a\\"b\\\\c\\nd\\te\\u00e9\\x41\\q')).toBe('a"b\\c\nd\te\u00e9A\\q');
  });
});

describe('k6ErrorLines', () => {
  it('keeps error and fatal records as first line, first frame and hint; skips info and warning', () => {
    expect(k6ErrorLines([INFO, SCRIPT_EXCEPTION, WARN, QUOTED, FATAL])).toEqual([
      'ReferenceError: foo is not defined at default (file:///k6/x.ts:10:5(12)) (script exception)',
      'GoError: "tenant" is not a \\path\\ ( x)',
      "could not initialize 'k6/x/sql': unknown module",
    ]);
  });

  it("adds a record's error field to its message and masks credentials in URLs", () => {
    const [text] = k6ErrorLines([REQUEST_ERROR]);
    expect(text).toBe('Request Failed: Get "https://***@preview.example.com/api": dial tcp: lookup preview.example.com: no such host');
    expect(text).not.toContain('s3cret');
  });

  it('keeps plain lines: a panic without its goroutine dump, an exception with its first frame, a wrapper message', () => {
    const lines = [
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1234]',
      '',
      'goroutine 1 [running]:',
      'go.k6.io/k6/js.(*VU).RunOnce(0xc000123456, {0x1, 0x2})',
      '\t/go/src/go.k6.io/k6/js/runner.go:123 +0x1d',
      'created by go.k6.io/k6/execution.(*Scheduler).Run in goroutine 1',
      '\t/go/src/go.k6.io/k6/execution/scheduler.go:400 +0x2a',
      'Uncaught (in promise) TypeError: Cannot read property \'id\' of undefined',
      '\tat default (file:///k6/x.ts:10:3(12))',
      '\tat next (file:///k6/x.ts:20:3(4))',
      'running (00m01.0s), 02/02 VUs, 10 complete and 0 interrupted iterations',
      'default   [  50% ] 02/02 VUs  00m01.0s/00m02.0s',
      'WARN[0001] The moduleSpecifier is deprecated',
      'ERRO[0002] ReferenceError: bar is not defined  hint="script exception"',
      'wrapper: k6 ended with 107',
    ];
    expect(k6ErrorLines(lines, 10)).toEqual([
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1234]',
      "Uncaught (in promise) TypeError: Cannot read property 'id' of undefined at default (file:///k6/x.ts:10:3(12))",
      'ReferenceError: bar is not defined hint="script exception"',
      'wrapper: k6 ended with 107',
    ]);
  });

  it('keeps only the last five, oldest first', () => {
    const lines = Array.from({ length: 8 }, (_, i) => `time="2026-01-01T10:00:0${i}Z" level=error msg="error number ${i}"`);
    expect(K6_ERROR_LINES_KEPT).toBe(5);
    expect(k6ErrorLines(lines)).toEqual(['error number 3', 'error number 4', 'error number 5', 'error number 6', 'error number 7']);
    const c = k6ErrorCollector();
    c.push(lines[0] as string);
    expect(c.lines()).toEqual(['error number 0']);
  });

  it('cuts a long text to 300 characters, after masking (a cut cannot reveal a secret)', () => {
    const long = `time="2026-01-01T10:00:00Z" level=error msg="${'x'.repeat(280)} http://bob:hunter2@db.internal:5432/app ${'y'.repeat(400)}"`;
    const [text] = k6ErrorLines([long]);
    expect(K6_ERROR_TEXT_MAX).toBe(300);
    expect(Array.from(text as string)).toHaveLength(300);
    expect(text?.endsWith('…')).toBe(true);
    expect(text).not.toContain('hunter2');
    expect(text).toContain('http://***@');
    const short = k6ErrorLines(['a plain line of exactly 30 ch.'])[0];
    expect(short).toBe('a plain line of exactly 30 ch.');
  });
});

describe('k6 error lines: secrets', () => {
  it('masks headers, bearer tokens, password pairs and the secret values of k6\'s environment', () => {
    const secrets = envSecrets({ API_TOKEN: 'tok-9f8e7d6c5b', PERF_GATE_SCALE: '0.1' });
    const c = k6ErrorCollector(undefined, secrets);
    c.push('time="2026-01-01T10:00:00Z" level=error msg="401 from /api: Authorization: Bearer eyJhbGciOi.e30.sig"');
    c.push('time="2026-01-01T10:00:01Z" level=error msg="cannot connect: dsn=postgres://admin:s3cret@db/app password=s3cret"');
    c.push('Uncaught (in promise) Error: token tok-9f8e7d6c5b rejected');
    expect(c.lines()).toEqual([
      '401 from /api: Authorization: ***',
      'cannot connect: dsn=postgres://***@db/app password=***',
      'Uncaught (in promise) Error: token *** rejected',
    ]);
  });
});

describe('k6 error lines: an error record without a message', () => {
  it('shows its other fields, not an empty msg=', () => {
    expect(k6ErrorLines(['time="2026-01-01T10:00:00Z" level=error msg="" source=console code=42'])).toEqual(['source=console code=42']);
  });
});

describe('runK6: a failed run carries k6 error lines', () => {
  let dir: string;
  let script: string;
  let wrapper: string;

  beforeAll(async () => {
    dir = await tempDir('k6-errors');
    script = await scenarioScript(dir, 'broken');
    // k6 as a wrapper around the double: logfmt records on stderr first, then the double's own output.
    wrapper = join(dir, 'k6-wrapper.sh');
    await writeFile(
      wrapper,
      ['#!/bin/sh', "cat >&2 <<'EOF'", INFO, SCRIPT_EXCEPTION, REQUEST_ERROR, 'EOF', `exec "${process.execPath}" "${K6_DOUBLE}" "$@"`, ''].join('\n'),
    );
    await chmod(wrapper, 0o755);
  });

  const run = (k6Path: string, env: Record<string, string>) => runScript({ dir, script, scenario: 'broken', k6Path, env: { K6_DOUBLE_DURATION_MS: '50', ...env } });

  it.skipIf(process.platform === 'win32')('exit 107 at init: the record holds the level=error messages and the exception k6 printed', async () => {
    const { log, promise } = run(wrapper, { K6_DOUBLE_EXIT: '107', K6_DOUBLE_FAIL_AT_START: '1' });
    const rec = await promise;
    expect(rec.exitCode).toBe(107);
    expect(rec.incomplete).toContain('the script threw an exception (107)');
    expect(rec.errors).toEqual([
      'ReferenceError: foo is not defined at default (file:///k6/x.ts:10:5(12)) (script exception)',
      'Request Failed: Get "https://***@preview.example.com/api": dial tcp: lookup preview.example.com: no such host',
      `Uncaught (in promise) Error: init failed at file://${script}:1:1(3)`,
    ]);
    expect(JSON.stringify(rec)).not.toContain('s3cret');
    // The log still shows every line, masked.
    expect(log.text()).toContain('level=info msg="Running scenario"');
    expect(log.text()).not.toContain('s3cret');
  });

  it('exit 107 after output: the exception the script threw', async () => {
    const rec = await run(K6_DOUBLE, { K6_DOUBLE_EXIT: '107' }).promise;
    expect(rec.incomplete).toBe('k6 ended early: the script threw an exception (107)');
    expect(rec.errors).toEqual([`Uncaught (in promise) TypeError: Cannot read property 'id' of undefined at default (file://${script}:10:3(12))`]);
  });

  it("exit 99: k6's level=error thresholds line is not kept (the run is complete)", async () => {
    const { log, promise } = run(K6_DOUBLE, { K6_DOUBLE_EXIT: '99' });
    const rec = await promise;
    expect(rec.exitCode).toBe(99);
    expect(log.text()).toContain('level=error');
    expect(rec.errors).toBeUndefined();
  });

  it.skipIf(process.platform === 'win32')('exit 0: error records of a complete run are not kept', async () => {
    const rec = await run(wrapper, {}).promise;
    expect(rec.exitCode).toBe(0);
    expect(rec.incomplete).toBeUndefined();
    expect(rec.errors).toBeUndefined();
  });
});
