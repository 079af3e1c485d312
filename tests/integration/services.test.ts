/**
 * Smoke tests for the real-service helpers: if these fail, every integration test that needs a
 * broker or a database would fail too, so fail here first with the service's own log.
 */
import { InfluxDB } from 'influx';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { canConnect } from '../helpers/ports.js';

describe('mosquitto helper', () => {
  let broker: MosquittoHandle | undefined;
  afterAll(async () => {
    await broker?.close();
  });

  it('round-trips a message between two clients and frees its port on stop', async () => {
    broker = await startMosquitto();
    const url = broker.url;
    expect(url).toBe(`mqtt://127.0.0.1:${broker.port}`);

    const opts = { reconnectPeriod: 0, connectTimeout: 5_000 };
    const sub = await mqtt.connectAsync(url, { ...opts, clientId: 'lineside-test-sub' });
    const pub = await mqtt.connectAsync(url, { ...opts, clientId: 'lineside-test-pub' });
    try {
      const topic = `lineside/test/${process.pid}`;
      const received = new Promise<{ topic: string; payload: string }>((resolve) => {
        sub.on('message', (t, payload) => resolve({ topic: t, payload: payload.toString('utf8') }));
      });
      await sub.subscribeAsync(topic, { qos: 1 });
      await pub.publishAsync(topic, 'hello line 3', { qos: 1 });
      await expect(received).resolves.toEqual({ topic, payload: 'hello line 3' });
    } finally {
      await Promise.all([sub.endAsync(true), pub.endAsync(true)]);
    }

    const port = broker.port;
    await broker.stop();
    expect(await canConnect(port)).toBe(false);
    expect(broker.logs()).toContain('mosquitto version');
  });
});

describe('influxd helper', () => {
  let influxd: InfluxdHandle | undefined;
  afterAll(async () => {
    await influxd?.close();
  });

  it('writes a point with ms precision and reads back the same value and timestamp', async () => {
    influxd = await startInfluxd();
    await influxd.query('CREATE DATABASE lineside_test');

    const client = new InfluxDB({ host: influxd.host, port: influxd.port, database: 'lineside_test' });
    // A millisecond-bearing timestamp: a wrong precision would truncate it or land it in 1970.
    const ts = new Date(Date.UTC(2024, 4, 17, 8, 30, 12, 345));
    await client.writePoints(
      [{ measurement: 'cycle', tags: { line: 'L3' }, fields: { seconds: 42.5 }, timestamp: ts }],
      { precision: 'ms' },
    );

    const res = await influxd.query('SELECT "seconds" FROM "cycle" WHERE "line" = \'L3\'', 'lineside_test');
    const series = res.results[0]?.series?.[0];
    expect(series?.columns).toEqual(['time', 'seconds']);
    expect(series?.values).toEqual([[ts.getTime(), 42.5]]);

    // The same point through the influx package (its own time parsing).
    const rows = await client.query<{ seconds: number }>('SELECT "seconds" FROM "cycle"');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.seconds).toBe(42.5);
    expect(rows[0]?.time.getTime()).toBe(ts.getTime());

    await influxd.stop();
    expect(await canConnect(influxd.port)).toBe(false);
  });
});
