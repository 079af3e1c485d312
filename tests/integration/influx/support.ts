/**
 * Shared pieces of the InfluxDB writer tests: a config built through the real loader, a spool in
 * a temp dir, polling helpers and series counting against a real influxd.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { loadConfigText } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger, type Logger } from '../../../src/lib/logger.js';
import { openSpool, type Spool } from '../../../src/outputs/spool/index.js';
import type { InfluxdHandle } from '../../helpers/influxd.js';

export const STATIONS = ['press', 'weld', 'pack'] as const;

export interface InfluxTestConfig {
  url: string;
  database?: string;
  influx?: Record<string, unknown>;
}

/** Three stations on line1, condition tag plc1.press_vibration on press. */
export function influxTestConfig(opts: InfluxTestConfig): Readonly<LinesideConfig> {
  const doc = {
    site: { enterprise: 'acme', site: 'plant1' },
    agent: { id: 'agent1' },
    devices: [
      {
        id: 'plc1',
        protocol: 'modbus-tcp',
        host: '127.0.0.1',
        port: 502,
        tags: [
          ...STATIONS.map((s, i) => ({ name: `${s}_count`, area: 'holding', address: i * 2, type: 'uint16' })),
          { name: 'press_vibration', area: 'input', address: 0, type: 'float32' },
          { name: 'press_running', area: 'holding', address: 20, type: 'bit', bit: 0 },
          { name: 'identity', area: 'holding', address: 100, type: 'string', length: 8 },
        ],
      },
    ],
    reasons: [{ id: 'jam', label: 'Jam' }],
    lines: [
      {
        id: 'line1',
        stations: STATIONS.map((s) => ({
          id: s,
          idealCycleTime: '10s',
          signals: { cycleCounter: `plc1.${s}_count`, ...(s === 'press' ? { running: 'plc1.press_running' } : {}) },
          ...(s === 'press' ? { conditions: [{ tag: 'plc1.press_vibration', kind: 'vibration' }] } : {}),
        })),
      },
    ],
    mqtt: { enabled: false },
    influx: {
      enabled: true,
      url: opts.url,
      database: opts.database ?? 'lineside',
      flushInterval: '200ms',
      ...opts.influx,
    },
  };
  const result = loadConfigText(stringify(doc), { env: {} });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.issues)}`);
  return result.config;
}

/** A spool as the agent opens one by default (250 ms commits, room for a long outage), for the benchmarks. */
export function openProductionSpool(dir: string): Spool {
  return openSpool({
    dir,
    maxBytes: 2 * 1024 ** 3,
    maxAgeMs: 86_400_000,
    commitIntervalMs: 250,
    destinations: ['influx'],
    clock: systemClock,
    logger: silentLogger,
  });
}

export function openTestSpool(
  dir: string,
  logger: Logger = silentLogger,
  destinations: readonly string[] = ['influx'],
): Spool {
  return openSpool({
    dir,
    maxBytes: 256 * 1024 * 1024,
    maxAgeMs: 30 * 86_400_000,
    commitIntervalMs: 50,
    destinations,
    clock: systemClock,
    logger,
  });
}

export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Rows of one InfluxQL statement as objects keyed by column. */
export async function rows(
  influxd: InfluxdHandle,
  q: string,
  db = 'lineside',
): Promise<Array<Record<string, unknown>>> {
  const res = await influxd.query(q, db);
  const out: Array<Record<string, unknown>> = [];
  for (const series of res.results[0]?.series ?? []) {
    for (const values of series.values) {
      const row: Record<string, unknown> = { ...series.tags };
      series.columns.forEach((c, i) => (row[c] = values[i]));
      out.push(row);
    }
  }
  return out;
}

/** Points per series ("measurement,tag=v,...") of a measurement, counting one field that every point has. */
export async function countBySeries(
  influxd: InfluxdHandle,
  measurement: string,
  field: string,
  db = 'lineside',
  rp = 'lineside',
): Promise<Map<string, number>> {
  const res = await influxd.query(`SELECT count("${field}") FROM "${rp}"."${measurement}" GROUP BY *`, db);
  const out = new Map<string, number>();
  for (const series of res.results[0]?.series ?? []) {
    const key = [
      series.name,
      ...Object.entries(series.tags ?? {})
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `${k}=${v}`)
        .sort(),
    ].join(',');
    out.set(key, Number(series.values[0]?.[1] ?? 0));
  }
  return out;
}
