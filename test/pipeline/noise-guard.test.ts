// The noise guard's section: the criteria that failed the first run, named as the report names keys.
import { describe, expect, it } from 'vitest';
import { noiseGuardSection } from '../../src/pipeline.js';
import type { Evaluation } from '../../src/model.js';
import { criterion, evaluationOf } from '../support/gate-double.js';

describe('noiseGuardSection', () => {
  it("masks a secret in a failed key (an expanded {url:*} rule) and says whether the rerun confirmed it", () => {
    const first: Evaluation = evaluationOf('fail');
    first.scenarios[0]!.criteria.push(
      criterion({ metric: 'http_req_duration{url:https://api.example.com/a?access_token=s3cr3t,method:GET}', expression: 'p(95)<500', status: 'fail', actual: 900, limit: 500 }),
    );
    const s = noiseGuardSection(first, evaluationOf('pass'), ['target-capacity']);
    expect(s.markdown).not.toContain('s3cr3t');
    expect(s.markdown).toContain('`http_req_duration{url:https://api.example.com/a?access_token=***,method:GET}`');
    expect(s.markdown).toContain('did not repeat');
    expect(noiseGuardSection(first, evaluationOf('fail'), ['target-capacity']).markdown).toContain('the failure is confirmed');
  });
});
