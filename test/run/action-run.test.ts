// The Action's run mode around the gate: the base URL's credentials are registered as secrets before
// anything is logged, and the gate gets a cancellation signal whose handlers are removed afterwards.
import { describe, expect, it } from 'vitest';
import type { GateOptions, GateResult } from '../../src/model.js';
import { evaluationOf, gateDouble } from '../support/gate-double.js';
import { webhookPayload } from '../support/github-server.js';
import { FAST_CLIENT, githubServerEachTest, runAction } from '../github/harness.js';

const TOKEN = 'gh-test-token';
const gh = githubServerEachTest(TOKEN);

describe('the Action with base-url', () => {
  it('masks the user name and password of the base URL before logging, and hands the gate a signal it stops listening to afterwards', async () => {
    const seen: GateOptions[] = [];
    const listeners = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
    const during: number[] = [];
    const double = gateDouble(evaluationOf('pass'));
    const gate = async (o: GateOptions): Promise<GateResult> => {
      seen.push(o);
      during.push(process.listenerCount('SIGINT'), process.listenerCount('SIGTERM'));
      return double(o);
    };
    const r = await runAction({
      server: gh.server,
      event: 'pull_request',
      payload: webhookPayload('pull_request', (p) => p.action === 'opened'),
      inputs: { 'base-url': 'https://deploy-bot:hunter%402@pr-7.preview.example.com/?x-vercel-protection-bypass=bypass123' },
      deps: { gate, client: FAST_CLIENT },
    });
    gh.runs.push(r);
    const lines = r.stdout.split('\n');
    const masks = lines.flatMap((l, i) => (l.startsWith('::add-mask::') ? [{ value: l.slice('::add-mask::'.length).replace(/%25/g, '%'), at: i }] : []));
    expect(masks.map((m) => m.value)).toEqual(expect.arrayContaining(['deploy-bot', 'hunter%402', 'hunter@2']));
    const firstMention = lines.findIndex((l) => !l.startsWith('::add-mask::') && /pr-7\.preview/.test(l));
    expect(firstMention).toBeGreaterThan(-1);
    for (const m of masks.filter((x) => x.value !== TOKEN)) expect(m.at).toBeLessThan(firstMention);
    const logged = lines.filter((l) => !l.startsWith('::add-mask::')).join('\n');
    expect(logged).not.toContain('hunter');
    expect(logged).not.toContain('bypass123');
    // the gate got the URL as given (k6 needs it) and a cancellation signal
    expect(seen).toHaveLength(1);
    expect(seen[0]?.baseUrl).toContain('deploy-bot:hunter%402@');
    expect(seen[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(seen[0]?.signal?.aborted).toBe(false);
    expect(during).toEqual([listeners.SIGINT + 1, listeners.SIGTERM + 1]);
    expect(process.listenerCount('SIGINT')).toBe(listeners.SIGINT);
    expect(process.listenerCount('SIGTERM')).toBe(listeners.SIGTERM);
  });
});
