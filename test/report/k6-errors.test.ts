// k6's last error lines of a run that did not complete, in the Markdown report (a fenced block under
// the scenario's k6 run line that no message can break out of) and in the JSON report.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { RunRecord } from '../../src/model.js';
import { toJsonReport } from '../../src/report/json.js';
import { fencedBlock, renderMarkdown } from '../../src/report/markdown.js';
import { FakeResults, HTTP_METRICS, httpSamples } from '../support/fake-results.js';
import { config, rule } from '../evaluate/rules.js';
import { T0 } from './fixtures.js';

const ERRORS = [
  'ReferenceError: foo is not defined at default (file:///k6/x.ts:10:5(12)) (script exception)',
  'GoError: bad template ```\n# not a heading\n``` and ```` more',
  'Request Failed: Get "https://alice:s3cret@preview.example.com/api": no such host',
];

function report(errors: string[] | undefined) {
  const results = new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples([{ t: T0, duration: 10 }]) });
  const run: RunRecord = {
    scenario: 's',
    outputs: [],
    window: { start: T0, end: T0 + 1 },
    exitCode: 107,
    exitMeaning: 'the script threw an exception (107)',
    incomplete: 'k6 ended early: the script threw an exception (107); k6 wrote no output file',
    attempt: 1,
    ...(errors ? { errors } : {}),
  };
  const evaluation = evaluate({ config: config(), scenarios: [{ name: 's', results, run, rules: [rule('http_req_duration', 'p(99)<500')] }] });
  return { md: renderMarkdown({ evaluation, results: { s: results } }), json: toJsonReport(evaluation, { results: { s: results } }) };
}

/** The lines of the fenced block that opens right after `heading` (a CommonMark backtick fence), and its fence. */
function blockAfter(md: string, heading: string): { fence: string; body: string[] } {
  const lines = md.slice(md.indexOf(heading) + heading.length).split('\n');
  const open = lines.findIndex((l) => /^`{3,}/.test(l));
  const fence = /^`+/.exec(lines[open] as string)![0];
  // A closing fence: at least as many backticks as the opening one, nothing else on the line.
  const close = lines.findIndex((l, i) => i > open && new RegExp(`^\`{${fence.length},}\\s*$`).test(l));
  return { fence, body: lines.slice(open + 1, close) };
}

describe('Markdown: k6 error lines of an incomplete run', () => {
  it('shows them in a fenced block right under the k6 run line', () => {
    const { md } = report(ERRORS);
    const runLine = md.split('\n').findIndex((l) => l.startsWith('**k6 run**: incomplete'));
    expect(runLine).toBeGreaterThan(0);
    const after = md.split('\n').slice(runLine + 1, runLine + 4);
    expect(after).toEqual(['', "**k6's last error lines**:", '']);
    const { fence, body } = blockAfter(md, "**k6's last error lines**:");
    expect(fence.length).toBe(5);
    expect(body).toHaveLength(3);
    expect(body[0]).toBe(ERRORS[0]);
    expect(body[1]).toBe('GoError: bad template ``` # not a heading ``` and ```` more');
    expect(md).not.toMatch(/^# not a heading/m);
  });

  it('no message can close the block early: the fence is longer than every backtick run', () => {
    expect(fencedBlock(['a ``` b'])).toBe('````text\na ``` b\n````');
    expect(fencedBlock(['plain'])).toBe('```text\nplain\n```');
    expect(fencedBlock(['``````'])).toBe('```````text\n``````\n```````');
    const { md } = report(['```', '````', 'after the fences']);
    const { body } = blockAfter(md, "**k6's last error lines**:");
    expect(body).toEqual(['```', '````', 'after the fences']);
  });

  it('masks credentials that reach the report', () => {
    const { md, json } = report(ERRORS);
    expect(md).not.toContain('s3cret');
    expect(md).toContain('https://***@preview.example.com/api');
    expect(JSON.stringify(json)).not.toContain('s3cret');
  });

  it('shows no block when the run has no error lines', () => {
    const { md } = report(undefined);
    expect(md).toContain('**k6 run**: incomplete — k6 ended early');
    expect(md).not.toContain("k6's last error lines");
    expect(report([]).md).not.toContain("k6's last error lines");
  });
});

describe('JSON: k6 error lines of a run', () => {
  it('scenarios[].k6Errors holds them, masked', () => {
    const { json } = report(ERRORS);
    expect(json.scenarios[0]!.k6Errors).toEqual([ERRORS[0], ERRORS[1], 'Request Failed: Get "https://***@preview.example.com/api": no such host']);
    expect(JSON.parse(JSON.stringify(json)).scenarios[0].k6Errors).toHaveLength(3);
  });

  it('is absent when there are none', () => {
    const { json } = report(undefined);
    expect(json.scenarios[0]).not.toHaveProperty('k6Errors');
    expect(report([]).json.scenarios[0]).not.toHaveProperty('k6Errors');
  });
});
