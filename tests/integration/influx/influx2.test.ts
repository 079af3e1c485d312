/**
 * The writer against InfluxDB 2.x as a loopback stand-in (tests/helpers/influx2-standin.ts; no
 * 2.x server can be installed here): the token header on every request, the v1 /write and the v2
 * /api/v2/write paths and query strings, what arrives (line protocol, microsecond timestamps),
 * how health reports a refused token or a missing bucket (and that the token shows nowhere), bad
 * points isolated on a partial write, and an outage: the spool delivers everything once the
 * server is back, nothing twice.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createLogger, type Logger } from '../../../src/lib/logger.js';
import { createInfluxWriter, type InfluxWriter } from '../../../src/outputs/influx/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { startInflux2Standin, type Influx2Standin, type StandinOptions } from '../../helpers/influx2-standin.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle } from '../spool/make-events.js';
import { influxTestConfig, openTestSpool, waitUntil } from './support.js';

const TOKEN = 'lineside-write-token-0123456789';
const DAY = 86_400_000;
const T0 = Math.floor(Date.now() / DAY) * DAY + 3 * 3_600_000;

interface Run {
  readonly standin: Influx2Standin;
  readonly writer: InfluxWriter;
  readonly spool: Spool;
  readonly log: () => string;
}

const open: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

function logSink(): { logger: Logger; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { logger: createLogger('debug', stream), text: () => text };
}

async function run(
  influx: Record<string, unknown>,
  server: Partial<StandinOptions> = {},
  tuning: { retryMinMs?: number; retryMaxMs?: number } = {},
): Promise<Run> {
  const standin = await startInflux2Standin({ tokens: [TOKEN], buckets: ['lineside', 'lineside/lineside'], ...server });
  open.push(() => standin.close());
  const dir = createTempDir('influx2-spool');
  open.push(() => removeTempDir(dir));
  const spool = openTestSpool(dir);
  open.push(() => spool.close());
  const { logger, text } = logSink();
  const writer = createInfluxWriter({
    config: influxTestConfig({ url: standin.url, influx }),
    spool,
    clock: systemClock,
    logger,
    tuning: { retryMinMs: tuning.retryMinMs ?? 100, retryMaxMs: tuning.retryMaxMs ?? 300 },
  });
  open.push(() => writer.stop());
  return { standin, writer, spool, log: text };
}

function appendCycles(spool: Spool, from: number, to: number): void {
  for (let seq = from; seq <= to; seq++) spool.appendEvent(cycle('press', seq, T0 + seq * 12_000));
  spool.flush();
}

async function drained({ writer, spool }: Run): Promise<void> {
  spool.flush();
  await waitUntil(() => writer.health().ackedId >= spool.lastCommittedId(), 'the spool to be written');
}

const writes = (standin: Influx2Standin) => standin.requests.filter((r) => r.method === 'POST');

describe('InfluxDB 2.x: token over the v1 /write endpoint', () => {
  it('writes to the bucket mapped to database/policy (virtual DBRP "lineside/lineside") with the token header', async () => {
    const r = await run({ token: TOKEN });
    await r.writer.start();
    appendCycles(r.spool, 1, 20);
    await drained(r);

    const posts = writes(r.standin);
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) {
      expect(post).toMatchObject({
        path: '/write',
        query: { db: 'lineside', rp: 'lineside', precision: 'u' },
        authorization: `Token ${TOKEN}`,
        contentType: 'text/plain; charset=utf-8',
        status: 204,
      });
    }
    // No InfluxQL set-up: 2.x has no CREATE DATABASE over the v1 API.
    expect(r.standin.requests.filter((q) => q.path === '/query')).toEqual([]);
    const points = r.standin.points('lineside/lineside');
    expect(points).toHaveLength(20);
    for (const p of points) expect(p).toMatch(/^cycle,site=plant1,line=line1,station=press .*seq=\d+i.* \d{16}$/); // microseconds, as precision=u says
    expect(r.writer.health()).toMatchObject({
      api: 'v1',
      auth: 'token',
      ready: true,
      connected: true,
      sent: 20,
      warnings: [],
      backlog: 0,
    });
    expect(r.log()).not.toContain(TOKEN);
  });

  it('says which DBRP mapping is missing when no bucket answers to database/policy, and keeps the data', async () => {
    const r = await run({ token: TOKEN, database: 'plant', retentionPolicy: { name: 'ninety' } });
    await r.writer.start();
    appendCycles(r.spool, 1, 5);
    await waitUntil(() => r.writer.health().errors >= 2, 'failed writes');
    const h = r.writer.health();
    expect(h.lastError).toMatch(/HTTP 404: no dbrp mapping found/);
    expect(h.lastError).toMatch(/on InfluxDB 2\.x create a bucket named "plant\/ninety" or a DBRP mapping/);
    expect(h).toMatchObject({ connected: false, ackedId: 0, backlog: 5 });
  });
});

describe('InfluxDB 2.x: the v2 /api/v2/write endpoint', () => {
  it('posts to /api/v2/write with org, bucket and precision us; timestamps arrive in microseconds', async () => {
    const r = await run({ api: 'v2', org: 'acme', bucket: 'lineside', token: TOKEN });
    await r.writer.start();
    appendCycles(r.spool, 1, 10);
    await drained(r);

    for (const post of writes(r.standin)) {
      expect(post).toMatchObject({
        path: '/api/v2/write',
        query: { org: 'acme', bucket: 'lineside', precision: 'us' },
        authorization: `Token ${TOKEN}`,
        status: 204,
      });
    }
    const first = r.standin.points('lineside').find((p) => p.includes('seq=1i'));
    // Cycle 1 ended at T0 + 12 s; its sequence number sits in the sub-millisecond digits.
    expect(first?.split(' ').at(-1)).toBe(String((T0 + 12_000) * 1000 + 1));
    expect(r.standin.points('lineside')).toHaveLength(10);
    expect(r.writer.health()).toMatchObject({ api: 'v2', bucket: 'lineside', org: 'acme', sent: 10, backlog: 0 });
  });

  it('reports a refused token (401) as an auth failure naming influx.token, never its value, and keeps the data', async () => {
    const wrong = 'wrong-token-9876543210';
    const r = await run({ api: 'v2', org: 'acme', bucket: 'lineside', token: wrong });
    await r.writer.start();
    appendCycles(r.spool, 1, 8);
    await waitUntil(() => r.writer.health().errors >= 3, 'a few refused writes');

    const h = r.writer.health();
    expect(h.lastErrorCode).toBe('INFLUX_WRITE');
    expect(h.lastError).toMatch(/HTTP 401: unauthorized access/);
    expect(h.lastError).toMatch(
      /check influx\.token: InfluxDB refused it; it needs write permission on bucket "lineside" in org "acme"/,
    );
    expect(h).toMatchObject({ connected: false, auth: 'token', ackedId: 0, backlog: 8, poisoned: 0 });
    expect(writes(r.standin).every((p) => p.status === 401 && p.authorization === `Token ${wrong}`)).toBe(true);
    // A ping cannot tell that someone fixed the token: no probing, the backoff applies.
    expect(r.standin.requests.filter((q) => q.path === '/ping')).toEqual([]);
    expect(JSON.stringify(h)).not.toContain(wrong);
    expect(r.log()).not.toContain(wrong);
    expect(r.log()).toMatch(/"level":50.*HTTP 401/); // logged as an error, not a warning
    expect(r.standin.accepted).toEqual([]);
  });

  it('names the bucket and org to create when the bucket does not exist (404), and keeps the data', async () => {
    const r = await run({ api: 'v2', org: 'acme', bucket: 'nope', token: TOKEN });
    await r.writer.start();
    appendCycles(r.spool, 1, 3);
    await waitUntil(() => r.writer.health().errors >= 2, 'failed writes');
    const h = r.writer.health();
    expect(h.lastError).toMatch(/HTTP 404: bucket "nope" not found \(create bucket "nope" in org "acme"/);
    expect(h).toMatchObject({ ackedId: 0, backlog: 3, poisoned: 0 });
  });

  it.each([422, 400] as const)(
    'isolates a field type conflict (partial write, HTTP %i): the rest lands, the bad point is counted',
    async (status) => {
      const r = await run(
        { api: 'v2', org: 'acme', bucket: 'lineside', token: TOKEN, batchSize: 1000, flushInterval: '1s' },
        { typeConflictStatus: status },
      );
      // Another tool wrote "value" of "sample" as a string first: our float conflicts with it.
      const legacy = await fetch(`${r.standin.url}/api/v2/write?org=acme&bucket=lineside&precision=ms`, {
        method: 'POST',
        headers: { authorization: `Token ${TOKEN}` },
        body: `sample,site=plant1,tag=plc1.legacy value="text" ${T0 - 1_000}`,
      });
      expect(legacy.status).toBe(204);
      await r.writer.start();
      for (let i = 1; i <= 60; i++) {
        r.spool.appendEvent(cycle('press', i, T0 + i * 12_000));
        if (i === 30) r.spool.appendSample({ tag: 'plc1.press_count', value: 42, ts: T0 + i * 12_000, mono: i });
      }
      await drained(r);
      const h = r.writer.health();
      expect(h.poisoned).toBe(1);
      expect(h.lastPoison?.point).toContain('sample,site=plant1');
      expect(h.lastPoison?.error).toMatch(new RegExp(`HTTP ${status}: .*field type conflict`));
      expect(h.sent).toBe(60);
      expect(r.standin.points('lineside').filter((p) => p.startsWith('cycle,'))).toHaveLength(60);
    },
  );
});

describe('an outage of an InfluxDB 2.x server', () => {
  it('delivers everything from the spool once the server is back, nothing twice, the probe pinging with the token', async () => {
    // A backoff long enough that only the /ping probe brings the write back quickly.
    const r = await run(
      { api: 'v2', org: 'acme', bucket: 'lineside', token: TOKEN },
      {},
      {
        retryMinMs: 4_000,
        retryMaxMs: 8_000,
      },
    );
    await r.writer.start();
    appendCycles(r.spool, 1, 10);
    await drained(r);

    await r.standin.stop();
    appendCycles(r.spool, 11, 40);
    await waitUntil(() => r.writer.health().errors >= 1, 'the write to fail while the server is down');
    expect(r.writer.health()).toMatchObject({ connected: false });
    appendCycles(r.spool, 41, 50);
    await r.standin.start();
    const backAt = Date.now();
    await drained(r);
    // Woken by the probe, not by the 4 s backoff.
    expect(Date.now() - backAt).toBeLessThan(3_500);

    const lines = r.standin.accepted.map((a) => a.line);
    expect(new Set(lines).size).toBe(50); // every cycle...
    expect(lines).toHaveLength(50); // ...delivered once
    expect(r.standin.points('lineside')).toHaveLength(50);
    const pings = r.standin.requests.filter((q) => q.path === '/ping');
    expect(pings.length).toBeGreaterThan(0);
    expect(pings.every((p) => p.authorization === `Token ${TOKEN}`)).toBe(true);
    expect(r.writer.health()).toMatchObject({ connected: true, backlog: 0, sent: 50, poisoned: 0 });
  });
});
