// Opens the direct probes from a bundle (test/utilization/direct.test.ts builds this file with ncc, as
// the Action and CLI are built): pg and ioredis are loaded lazily, and a bundler carries their exports
// over differently from Node. Prints what each probe read, or why it could not open.
//   node out/index.js PG_URL REDIS_URL
import { PgProbe, RedisProbe } from '../../src/collectors/direct.js';

async function main(): Promise<void> {
  const [pgUrl, redisUrl] = process.argv.slice(2) as [string, string];
  const out: Record<string, unknown> = {};
  for (const [name, open] of [
    ['pg', () => PgProbe.open(pgUrl)],
    ['redis', () => RedisProbe.open(redisUrl)],
  ] as const) {
    const probe = await open();
    if ('error' in probe) {
      out[name] = { error: probe.error };
      continue;
    }
    await probe.sample();
    out[name] = { readings: probe.readings.length };
    await probe.close();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exitCode = 1;
});
