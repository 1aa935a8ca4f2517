// Writes a generated k6 `--out json` file for one of the load-testing report's scenarios.
//   npm run fixture -- --scenario target-capacity --scale 0.1 --out run.ndjson.gz [--seed 7] [--answers answers.json] [--ids-in-urls] [--query-strings]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTestSpec, writeK6Fixture } from '../src/k6/fixtures.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'target-capacity' },
    scale: { type: 'string', default: '1' },
    out: { type: 'string' },
    seed: { type: 'string' },
    answers: { type: 'string' },
    'ids-in-urls': { type: 'boolean', default: false },
    'query-strings': { type: 'boolean', default: false },
  },
});
const name = values.scenario as 'smoke' | 'baseline' | 'target-capacity';
if (!['smoke', 'baseline', 'target-capacity'].includes(name) || !values.out) {
  process.stderr.write('usage: npm run fixture -- --scenario smoke|baseline|target-capacity [--scale N] --out FILE[.gz] [--seed N] [--answers FILE] [--ids-in-urls] [--query-strings]\n');
  process.exit(2);
}
const spec = loadTestSpec(name, Number(values.scale));
if (values.seed !== undefined) spec.seed = Number(values.seed);
if (values['ids-in-urls']) spec.idsInUrls = true;
if (values['query-strings']) spec.queryStrings = true;
const { answers, bytes } = await writeK6Fixture(spec, values.out, { answers: values.answers !== undefined });
if (values.answers && answers) writeFileSync(values.answers, `${JSON.stringify(answers, null, 2)}\n`);
process.stderr.write(`${values.out}: ${(bytes / 1e6).toFixed(1)} MB of k6 NDJSON (scenario ${spec.scenario}, scale ${values.scale})\n`);
