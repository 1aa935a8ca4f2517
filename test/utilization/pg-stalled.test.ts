// A PostgreSQL server (or a port-forward to one) that accepts the connection and then stops
// answering: the probe gives up with a reason instead of waiting for TCP to time out (~15 min), which
// would hold the gate's stop() and the whole run.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgProbe } from '../../src/collectors/direct.js';

/** A server that completes PostgreSQL's startup (trust auth, ReadyForQuery) and never answers a query. */
let server: Server;
let port = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  const msg = (type: string, body: Buffer) => {
    const h = Buffer.alloc(5);
    h.write(type, 0);
    h.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([h, body]);
  };
  server = createServer((s) => {
    sockets.add(s);
    let started = false;
    s.on('data', (d) => {
      if (started) return; // queries go into a black hole
      if (d.length < 8) return;
      started = true;
      s.write(Buffer.concat([msg('R', Buffer.alloc(4)), msg('Z', Buffer.from('I'))]));
    });
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('a PostgreSQL server that stops answering', () => {
  it('the probe gives up on the query and says the server is unreachable, naming the timeout', async () => {
    const opened = await PgProbe.open(`postgres://app:pw@127.0.0.1:${port}/app?sslmode=disable`);
    expect('error' in opened).toBe(true);
    expect((opened as { error: string }).error).toMatch(/^PostgreSQL at postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/app\?sslmode=disable is unreachable \(.*timeout/i);
  }, 30_000);
});
