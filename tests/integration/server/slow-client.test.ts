/**
 * 50 dashboard clients over real sockets on 127.0.0.1, one of which never reads (its socket is
 * paused). The other 49 must receive every coalesced delta, in order, without gaps; the server
 * must stop queueing for the stuck one once its queue passes the limit (memory stays bounded)
 * and disconnect it once it has been stuck longer than the timeout. Time is a manual clock, so
 * nothing here depends on how fast the machine is.
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, ManualClock, testConfig, type Harness } from './support/harness.js';

const CLIENTS = 50;
const SLOW_LIMIT_BYTES = 64 * 1024;
const SLOW_TIMEOUT_MS = 5_000;
const BROADCAST_MS = 250;

let h: Harness | undefined;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await h?.close();
  h = undefined;
});

interface Reader {
  readonly ws: WebSocket;
  readonly seqs: number[];
  snapshots: number;
  largestMessage: number;
}

function open(url: string, options: { autoPong?: boolean } = {}): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    clients.push(ws);
    const reader: Reader = { ws, seqs: [], snapshots: 0, largestMessage: 0 };
    ws.on('message', (data: Buffer) => {
      reader.largestMessage = Math.max(reader.largestMessage, data.length);
      const message = JSON.parse(data.toString('utf8')) as { type: string; seq?: number };
      if (message.type === 'snapshot') {
        reader.snapshots++;
        resolve(reader);
      } else if (message.seq !== undefined) {
        reader.seqs.push(message.seq);
      }
    });
    ws.once('error', reject);
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('50 websocket clients, one never reads', () => {
  it('keeps the 49 others at full rate, bounds what is queued for the stuck one, then disconnects it', async () => {
    const clock = new ManualClock();
    h = await createHarness({
      clock,
      config: testConfig({}, 20),
      // Broadcasts and heartbeats are driven by the test, in the clock's time.
      options: {
        slowClientBytes: SLOW_LIMIT_BYTES,
        slowClientTimeoutMs: SLOW_TIMEOUT_MS,
        broadcastIntervalMs: 3_600_000,
        heartbeatIntervalMs: 3_600_000,
      },
    });
    const { app, fake } = h;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const url = `ws://127.0.0.1:${port}/ws`;

    const readers: Reader[] = [];
    for (let i = 0; i < CLIENTS - 1; i++) readers.push(await open(url));
    const stuck = await open(url);
    let stuckClosed = false;
    stuck.ws.on('close', () => (stuckClosed = true));
    const stuckSocket = (stuck.ws as unknown as { _socket: Socket })._socket;
    // The never-reading client: its socket stops reading, so the kernel buffers fill, then ws's.
    // (ws keeps the net.Socket in a private field; there is no public handle to it.)
    stuckSocket.pause();
    expect(app.lineside.hub.size).toBe(CLIENTS);

    const stations = h.config.lines.flatMap((l) => l.stations.map((s) => s.id));
    const rssBefore = process.memoryUsage().rss;
    let maxQueued = 0;
    let seq = 0;
    let rounds = 0;
    let afterDisconnect = 0;
    // Enough rounds to fill the kernel's socket buffers (a few MB on loopback), pass the limit,
    // outlast the timeout, and then some more to show the others go on.
    for (; rounds < 3_000 && afterDisconnect < 20; rounds++) {
      if (app.lineside.hub.stats().slowDisconnects > 0) afterDisconnect++;
      for (const [i, station] of stations.entries()) {
        fake.setState(station, (rounds + i) % 3 === 0 ? 'small_stop' : 'running');
        fake.cycle(station, 12_000 + rounds);
      }
      clock.advance(BROADCAST_MS);
      app.lineside.flush();
      seq++;
      maxQueued = Math.max(maxQueued, app.lineside.hub.stats().maxClientBufferedBytes);
      // The readers keep up: every delta arrives before the next is sent.
      await until(() => readers.every((r) => r.seqs.length === seq), `delta ${seq} at every reader`);
    }

    const stats = app.lineside.hub.stats();
    // The stuck client was skipped, then cut off; nobody else was.
    expect(stats.skipped).toBeGreaterThan(0);
    expect(stats.slowDisconnects).toBe(1);
    expect(stats.clients).toBe(CLIENTS - 1);
    // Once it reads again, the stuck client finds its connection closed.
    stuckSocket.resume();
    await until(() => stuckClosed, 'the stuck client to see its connection closed');
    // Every reader got every delta, in order, with no gap and no catch-up snapshot.
    for (const r of readers) {
      expect(r.seqs).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
      expect(r.snapshots).toBe(1);
    }
    // What was queued for the stuck client never exceeded the limit plus one message.
    const largest = Math.max(...readers.map((r) => r.largestMessage));
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(SLOW_LIMIT_BYTES + largest);
    // Coarse: the whole run moved hundreds of MB through loopback; the process did not keep it.
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(rssGrowth).toBeLessThan(150 * 1024 * 1024);
    console.log(
      `[slow-client] rounds ${rounds}, delta ${largest} B, max queued ${maxQueued} B, skipped ${stats.skipped}, rss +${Math.round(rssGrowth / 1048576)} MiB`,
    );
  }, 120_000);
});

describe('heartbeat', () => {
  it('drops a client that stops answering pings (a laptop gone to sleep), keeps the one that answers', async () => {
    h = await createHarness({ options: { heartbeatIntervalMs: 3_600_000 } });
    const { app } = h;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/ws`;
    const answering = await open(url);
    const silent = await open(url, { autoPong: false });
    let silentClosed = false;
    silent.ws.on('close', () => (silentClosed = true));

    const pinged = Promise.all([answering, silent].map((r) => new Promise((resolve) => r.ws.once('ping', resolve))));
    app.lineside.heartbeat();
    await pinged;
    // The answering client's pong went out before this ping, so once our pong is back, the
    // server has seen its answer.
    await new Promise((resolve) => {
      answering.ws.once('pong', resolve);
      answering.ws.ping();
    });
    app.lineside.heartbeat();
    await until(() => silentClosed, 'the silent client to be dropped');
    expect(app.lineside.hub.stats()).toMatchObject({ clients: 1, heartbeatDisconnects: 1 });
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
  });
});
