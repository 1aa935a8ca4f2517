// The plain way to read k6 --out json: readline + JSON.parse of every line, values into arrays per
// metric, then the p(99) of http_req_duration. The yardstick `npm run bench` compares ingestion with.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/reference.mjs FILE[.gz]\n');
  process.exit(2);
}
let input = createReadStream(file);
if (file.endsWith('.gz')) input = input.pipe(createGunzip());
const values = new Map();
let bad = 0;
for await (const line of createInterface({ input, crlfDelay: Infinity })) {
  if (line === '') continue;
  let o;
  try {
    o = JSON.parse(line);
  } catch {
    bad++;
    continue;
  }
  if (o.type !== 'Point') continue;
  let a = values.get(o.metric);
  if (!a) values.set(o.metric, (a = []));
  a.push({ time: o.data.time, value: o.data.value, tags: o.data.tags });
}
const d = (values.get('http_req_duration') ?? []).map((p) => p.value).sort((x, y) => x - y);
const i = 0.99 * (d.length - 1);
const p99 = d.length ? d[Math.floor(i)] + (d[Math.ceil(i)] - d[Math.floor(i)]) * (i - Math.floor(i)) : NaN;
process.stdout.write(`${JSON.stringify({ p99, points: [...values.values()].reduce((a, v) => a + v.length, 0), bad, maxRssKB: process.resourceUsage().maxRSS, cpuS: (process.cpuUsage().user + process.cpuUsage().system) / 1e6 })}\n`);
