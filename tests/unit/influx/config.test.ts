/** Reading influx.url and the retention duration: what start() refuses, and what it accepts. */
import { describe, expect, it } from 'vitest';
import { influxTarget, redactInfluxUrl } from '../../../src/outputs/influx/client.js';
import { checkRetentionDuration, durationSeconds } from '../../../src/outputs/influx/setup.js';
import { isLinesideError } from '../../../src/lib/errors.js';

const influx = (over: Record<string, unknown> = {}) =>
  ({
    enabled: true,
    url: 'http://127.0.0.1:8086',
    database: 'lineside',
    createDatabase: true,
    retentionPolicy: { name: 'lineside', duration: '90d' },
    batchSize: 5000,
    flushInterval: 1000,
    writeSamples: true,
    rejectUnauthorized: true,
    ...over,
  }) as Parameters<typeof influxTarget>[0];

describe('influxTarget', () => {
  it('reads https, host, port, a reverse-proxy path and credentials from the URL, config credentials first', () => {
    expect(
      influxTarget(influx({ url: 'https://writer:s%40cret@influx.plant.local:8443/influx/', password: 'fromfile' })),
    ).toEqual({
      url: 'https://influx.plant.local:8443/influx',
      protocol: 'https',
      host: 'influx.plant.local',
      port: 8443,
      path: '/influx',
      username: 'writer',
      password: 'fromfile',
      database: 'lineside',
      retentionPolicy: 'lineside',
    });
  });

  it('uses the scheme default port when none is given', () => {
    expect(influxTarget(influx({ url: 'https://influx.local' })).port).toBe(443);
  });

  it.each(['influx.local:8086', 'udp://influx.local:8089', 'not a url'])(
    'refuses %s with CONFIG_INVALID naming influx.url',
    (url) => {
      try {
        influxTarget(influx({ url }));
        expect.unreachable();
      } catch (err) {
        expect(isLinesideError(err) && err.code).toBe('CONFIG_INVALID');
        expect(isLinesideError(err) && err.context.path).toEqual(['influx', 'url']);
      }
    },
  );

  it('never shows a password in the URL it reports', () => {
    expect(redactInfluxUrl('http://u:p@h:8086')).toBe('http://h:8086');
  });
});

describe('retention durations', () => {
  it.each([
    ['90d', 7_776_000],
    ['52w', 31_449_600],
    ['12h30m', 45_000],
    ['INF', 0],
    ['2160h0m0s', 7_776_000],
  ])('%s is %i s', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each(['90 days', '1y', '90d; DROP DATABASE x', ''])(
    'refuses "%s" before it reaches an InfluxQL statement',
    (duration) => {
      expect(() => checkRetentionDuration(influx({ retentionPolicy: { name: 'lineside', duration } }))).toThrow(
        /influx.retentionPolicy.duration/,
      );
    },
  );
});
