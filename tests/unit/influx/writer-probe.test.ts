/**
 * The writer's outage probe end to end against a fake InfluxDB 1.x HTTP API on loopback, with a
 * fixed 60 s backoff and a 50 ms probe interval, so "resumed" can only mean "the probe woke it":
 * - a write nothing answered is retried as soon as /ping answers, and every point arrives;
 * - a server that answers /ping but fails writes (500) keeps its backoff: no write a probe;
 * - after a retry the probe triggered fails again, an answering /ping no longer wakes the writer
 *   until a ping has failed (down, then up again).
 * Every wait is on a condition (a count of requests), never on elapsed time; the real influxd
 * version of the outage is tests/integration/influx/resume.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createInfluxWriter, type InfluxWriter } from '../../../src/outputs/influx/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { influxTestConfig, openTestSpool, waitUntil } from '../../integration/influx/support.js';
import { cycle } from '../../integration/spool/make-events.js';

type Answer = 'ok' | 'reset' | 500 | 503;

/** Answers /query (the retention policy check), /ping and /write as told; counts and keeps the points. */
class FakeInflux {
  ping: Answer = 'ok';
  write: Answer = 'ok';
  pings = 0;
  writes = 0;
  readonly lines = new Set<string>();
  readonly server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (url.pathname === '/query') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            results: [
              {
                statement_id: 0,
                series: [
                  {
                    columns: ['name', 'duration', 'shardGroupDuration', 'replicaN', 'default'],
                    values: [['lineside', '2160h0m0s', '168h0m0s', 1, true]],
                  },
                ],
              },
            ],
          }),
        );
        return;
      }
      const answer = url.pathname === '/ping' ? this.ping : this.write;
      if (url.pathname === '/ping') this.pings += 1;
      else this.writes += 1;
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      if (answer !== 'ok') {
        res.statusCode = answer;
        res.end(JSON.stringify({ error: 'engine unavailable' }));
        return;
      }
      if (url.pathname === '/write') for (const line of body.split('\n')) if (line !== '') this.lines.add(line);
      res.statusCode = 204;
      res.end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const T0 = Date.now() - 3_600_000;

describe('InfluxDB writer: /ping probe during a backoff', () => {
  let fake: FakeInflux | undefined;
  let writer: InfluxWriter | undefined;
  let spool: Spool | undefined;
  const dirs: string[] = [];

  afterEach(async () => {
    await writer?.stop();
    spool?.close();
    await fake?.close();
    for (const d of dirs.splice(0)) removeTempDir(d);
    writer = spool = fake = undefined;
  });

  async function setup(cycles: number): Promise<{ fake: FakeInflux; w: InfluxWriter; s: Spool }> {
    fake = new FakeInflux();
    const url = await fake.listen();
    const dir = createTempDir('influx-probe-spool');
    dirs.push(dir);
    spool = openTestSpool(dir);
    for (let i = 1; i <= cycles; i++) spool.appendEvent(cycle('press', i, T0 + i * 1_000));
    spool.flush();
    const config = influxTestConfig({ url, influx: { createDatabase: false, flushInterval: '50ms' } });
    // A fixed 60 s backoff: the test's 20 s waits end long before it would allow a retry.
    writer = createInfluxWriter({
      config,
      spool,
      clock: systemClock,
      logger: silentLogger,
      tuning: { retryMinMs: 60_000, retryMaxMs: 60_000, probeIntervalMs: 50, probeTimeoutMs: 1_000 },
    });
    return { fake, w: writer, s: spool };
  }

  it('retries a write nothing answered as soon as /ping answers, and every point arrives', async () => {
    const { fake: f, w, s } = await setup(200);
    f.write = 'reset';
    f.ping = 'reset';
    await w.start();
    await waitUntil(() => f.writes >= 1 && f.pings >= 3, 'a failed write and unanswered pings');
    expect(w.health()).toMatchObject({ connected: false, retrying: 1 });
    expect(w.health().nextRetryInMs).toBeGreaterThan(40_000); // the backoff is still far off
    f.write = 'ok';
    f.ping = 'ok';
    await waitUntil(
      () => w.health().ackedId >= s.lastCommittedId(),
      'the writer to resume (the probe, not the 60 s backoff)',
    );
    expect(w.health()).toMatchObject({ connected: true, retrying: 0, sent: 200 });
    expect(f.lines.size).toBe(200);
    expect(f.writes).toBe(2); // the failed one and the one the probe started
  });

  it('keeps the backoff for a server that answers /ping but fails writes (500): no write per ping', async () => {
    const { fake: f, w } = await setup(10);
    f.write = 500;
    await w.start();
    // Had an answering ping ended the wait, the probe would have stopped after its first ping.
    await waitUntil(() => f.pings >= 20, 'twenty pings during one backoff');
    expect(f.writes).toBe(1);
    expect(w.health()).toMatchObject({ connected: false, retrying: 1 });
    // InfluxDB itself going away and coming back (ping fails, then answers) does end the wait.
    f.ping = 503;
    await waitUntil(() => f.pings >= 22, 'pings failing');
    f.write = 'ok';
    f.ping = 'ok';
    await waitUntil(() => w.health().sent === 10, 'the writer to resume after the server came back');
    expect(f.writes).toBe(2);
  });

  it('after a retry the probe started fails again, waits for /ping to fail and answer again', async () => {
    const { fake: f, w } = await setup(10);
    f.write = 'reset'; // writes never answered, yet /ping answers (something odd in between)
    await w.start();
    await waitUntil(() => f.writes >= 2, 'the probe to start one retry');
    await waitUntil(() => f.pings >= 20, 'twenty more pings');
    expect(f.writes).toBe(2); // not one write per answered ping
    f.ping = 'reset';
    await waitUntil(() => f.pings >= 23, 'pings failing');
    f.ping = 'ok';
    f.write = 'ok';
    await waitUntil(() => w.health().sent === 10, 'the writer to resume');
    expect(f.writes).toBe(3);
  });
});
