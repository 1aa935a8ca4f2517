// The error-rate chart's y-axis is set by the run, not by a partial first or last interval.
import { describe, expect, it } from 'vitest';
import { chartSections, errorRateChart, evaluatedWindowNote } from '../../src/report/charts.js';
import { FakeResults, HTTP_METRICS, httpSamples, type Request } from '../support/fake-results.js';

const T0 = 1_700_000_000_000;

function bars(md: string): number[] {
  return /bar \[([^\]]*)\]/.exec(md)![1]!.split(',').map(Number);
}

/** 30 s at 100 requests a second, one failure at 10 s, then a last second with `tail` requests (one failed). */
function run(tail: number): FakeResults {
  const reqs: Request[] = [];
  for (let i = 0; i < 3000; i++) reqs.push({ t: T0 + i * 10, duration: 20, status: i === 1000 ? 500 : 200 });
  for (let k = 0; k < tail; k++) reqs.push({ t: T0 + 30_000 + k * 10, duration: 20, status: k === 0 ? 500 : 200 });
  return new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples(reqs) });
}

describe('errorRateChart', () => {
  it('a partial last second (1 failure in 5 requests) does not set the axis; the legend gives its real share', () => {
    const md = errorRateChart(run(5));
    expect(md).toContain('y-axis "failed requests (%)" 0 --> 1.2');
    const b = bars(md);
    expect(b.at(-1)).toBe(1.2);
    expect(b[10]).toBe(1);
    expect(md).toContain('The last 1 s holds only 5 requests (1 failed, 20%): left out of the axis scale and drawn capped at 1.2%.');
  });

  it('a last second as busy as the others counts as usual', () => {
    const md = errorRateChart(run(100));
    expect(md).toContain('y-axis "failed requests (%)" 0 --> 1.2');
    expect(bars(md).at(-1)).toBe(1);
    expect(md).not.toContain('left out of the axis scale');
    // a busy last second with many failures does set the axis
    const reqs: Request[] = [];
    for (let i = 0; i < 3100; i++) reqs.push({ t: T0 + i * 10, duration: 20, status: i >= 3000 && i % 2 === 0 ? 500 : 200 });
    const heavy = errorRateChart(new FakeResults({ metrics: HTTP_METRICS, samples: httpSamples(reqs) }));
    expect(heavy).toContain('y-axis "failed requests (%)" 0 --> 60');
  });
});

describe('chartSections: the evaluated window', () => {
  it('says where a narrower evaluated window lies on the whole-run time axis, and nothing for the whole run', () => {
    const r = run(100); // 0–31 s
    const whole = chartSections('s', r, r.span);
    expect(whole[0]!.markdown).not.toContain('evaluated window');
    expect(chartSections('s', r)[0]!.markdown).not.toContain('evaluated window');
    const steady = chartSections('s', r, { start: T0 + 10_000, end: T0 + 25_000 });
    expect(steady[0]!.markdown).toContain('The criteria are measured from 0:10 to 0:25 into the run (the evaluated window); the charts show the whole run.');
    expect(evaluatedWindowNote(r, { start: T0 + 10_000, end: r.span!.end })).toContain('from 0:10 to 0:31');
  });
});
