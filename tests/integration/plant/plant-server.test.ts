/**
 * `lineside plant` as users run it (bin/lineside.js → dist/), against a real mosquitto and a
 * publisher that emits contract-conforming retained ledgers and statuses for three lines
 * (docs/mqtt.md#ledger): the API shows each line's OEE as computed from its ledger, the plant's
 * OEE from the summed ledgers, an agent going offline, a bad message survived, and the shift
 * history kept across a plant-server restart even when the broker no longer holds it.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, waitForOutput } from '../../helpers/cli.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { HOUR, ledgerMessage, type LedgerSpec, type StationFigures } from '../../helpers/plant-ledgers.js';
import { freePort } from '../../helpers/ports.js';
import { expositionProblems, promtoolCheck } from '../../helpers/prom-format.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { until } from '../../helpers/wait.js';

interface LineJson {
  site: string;
  line: string;
  agentId: string | null;
  online: boolean;
  status: string;
  statusSince: number | null;
  shift: string | null;
  shiftStart: number | null;
  oee: { availability: number; performance: number; quality: number; oee: number } | null;
  good: number | null;
  target: number | null;
  behindBy: number | null;
  worstStation: string | null;
  topLoss: { station: string; reason: string; ms: number } | null;
  hoursLost: number | null;
  url?: string;
}
interface PlantJson {
  plant: {
    name?: string;
    oee: { availability: number; performance: number; quality: number; oee: number };
    teep: number;
    plannedMs: number;
    good: number;
    total: number;
    hoursLost: number;
    linesOnline: number;
    linesTotal: number;
  };
  lines: LineJson[];
}

const ROOT = 'acme';
const SITE = 'plant1';
/** Shifts of today (the plant history keeps 14 days: fixed dates would be pruned as too old). */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
const iso = (hoursFromBase: number) => new Date(BASE + hoursFromBase * HOUR).toISOString();
const EARLY = { start: iso(0), end: iso(8) };
const LATE = { start: iso(8), end: iso(16) };

const station = (name: string, f: Omit<StationFigures, 'station'>): StationFigures => ({ station: name, ...f });

/** Three lines whose OEEs differ a lot and whose planned times differ: a mean of OEEs would be wrong. */
const LEDGERS: LedgerSpec[] = [
  {
    line: 'line1',
    seq: 40,
    ...EARLY,
    ts: iso(4),
    stations: [
      station('press', {
        plannedMs: 4 * HOUR,
        runMs: 3 * HOUR,
        idealMs: 2.4 * HOUR,
        total: 900,
        good: 900,
        downByReason: { jam: 0.8 * HOUR },
      }),
      station('pack', {
        plannedMs: 4 * HOUR,
        runMs: 3.2 * HOUR,
        idealMs: 2.9 * HOUR,
        total: 880,
        good: 860,
        target: 1200,
        behindBy: 90,
      }),
    ],
  },
  {
    line: 'line2',
    seq: 12,
    ...EARLY,
    ts: iso(2),
    stations: [
      station('cell', { plannedMs: 1.5 * HOUR, runMs: 1.5 * HOUR, idealMs: 1.45 * HOUR, total: 300, good: 299 }),
    ],
  },
  {
    line: 'line3',
    seq: 7,
    ...EARLY,
    ts: iso(4),
    stations: [
      station('weld', {
        plannedMs: 4 * HOUR,
        runMs: 1 * HOUR,
        idealMs: 0.5 * HOUR,
        total: 100,
        good: 80,
        downByReason: { wire_feed: 2 * HOUR, unassigned: 0.5 * HOUR },
      }),
    ],
  },
];

/** The figures of a ledger's output station, computed here independently of src/plant. */
function expected(specs: readonly LedgerSpec[]) {
  const outs = specs.map((s) => s.stations[s.stations.length - 1] as StationFigures);
  const sum = (k: 'plannedMs' | 'runMs' | 'idealMs' | 'good' | 'total') => outs.reduce((a, o) => a + o[k], 0);
  const a = sum('runMs') / sum('plannedMs');
  const p = sum('idealMs') / sum('runMs');
  const q = sum('good') / sum('total');
  return { availability: a, performance: p, quality: q, oee: a * p * q, plannedMs: sum('plannedMs') };
}

let broker: MosquittoHandle;
let dir: string;
let publisher: MqttClient;
let port: number;
let configFile: string;
let child: ChildProcess | undefined;
/** Everything the plant server processes logged (stdout: JSON lines). */
let logs = '';
const PASSWORD = 'pl4nt-s3cret';

async function publish(topic: string, payload: string | object, retain = true): Promise<void> {
  await publisher.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), {
    qos: 1,
    retain,
  });
}

async function startPlant(): Promise<void> {
  child = spawnCli(['plant', '-c', configFile], { env: { LINESIDE_LOG_LEVEL: 'info', PLANT_PW: PASSWORD } });
  child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
  await waitForOutput(child, /plant server listening/, 30_000);
}

async function stopPlant(): Promise<number | null> {
  const c = child;
  child = undefined;
  if (c === undefined || c.exitCode !== null) return c?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
  c.kill('SIGTERM');
  return exited;
}

async function get<T>(route: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`);
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function plantWhen(check: (p: PlantJson) => boolean, what: string): Promise<PlantJson> {
  let last: PlantJson | undefined;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    last = await get<PlantJson>('/api/plant');
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

beforeAll(async () => {
  broker = await startMosquitto();
  dir = createTempDir('plant-server');
  port = await freePort();
  configFile = path.join(dir, 'plant.yaml');
  writeFileSync(
    configFile,
    [
      'kind: plant',
      'plant: { name: Test plant }',
      `enterprise: ${ROOT}`,
      `sites: [${SITE}]`,
      // mosquitto here allows anonymous clients and ignores the credentials; they must not be logged.
      `mqtt: { url: "${broker.url}", username: plant, password: "\${PLANT_PW}", reconnectMin: 100ms, reconnectMax: 1s }`,
      `server: { host: 127.0.0.1, port: ${port} }`,
      `storage: { dir: "${path.join(dir, 'data')}" }`,
      'lines:',
      `  - { site: ${SITE}, line: line1, url: "http://line1-pi:8080/" }`,
      '',
    ].join('\n'),
  );
  publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'test-agents' });
  for (const spec of LEDGERS) {
    await publish(`${ROOT}/${SITE}/${spec.line}/ledger`, ledgerMessage(spec));
    await publish(`${ROOT}/${SITE}/agents/${spec.line}-pi/status`, 'online');
  }
  // Another site's line is not shown.
  await publish(`${ROOT}/elsewhere/lineX/ledger`, ledgerMessage({ ...(LEDGERS[0] as LedgerSpec), line: 'lineX' }));
  await startPlant();
});

afterAll(async () => {
  await stopPlant();
  await publisher?.endAsync();
  await broker?.close();
  if (dir !== undefined) removeTempDir(dir);
});

describe('lineside plant (built CLI, real mosquitto)', () => {
  it('shows every line with the OEE of its ledger and the plant OEE of the summed ledgers', async () => {
    const view = await plantWhen((p) => p.lines.length === 3, 'three lines');
    for (const spec of LEDGERS) {
      const line = view.lines.find((l) => l.line === spec.line);
      const e = expected([spec]);
      expect(line, spec.line).toMatchObject({ site: SITE, agentId: `${spec.line}-pi`, online: true, shift: 'early' });
      expect(line?.oee?.availability).toBeCloseTo(e.availability, 9);
      expect(line?.oee?.performance).toBeCloseTo(e.performance, 9);
      expect(line?.oee?.quality).toBeCloseTo(e.quality, 9);
      expect(line?.oee?.oee).toBeCloseTo(e.oee, 9);
      expect(line?.hoursLost).toBeCloseTo((e.plannedMs * (1 - e.oee)) / HOUR, 9);
    }
    const all = expected(LEDGERS);
    expect(view.plant.name).toBe('Test plant');
    expect(view.plant.oee.availability).toBeCloseTo(all.availability, 9);
    expect(view.plant.oee.performance).toBeCloseTo(all.performance, 9);
    expect(view.plant.oee.quality).toBeCloseTo(all.quality, 9);
    expect(view.plant.oee.oee).toBeCloseTo(all.oee, 9);
    const meanOfOees = LEDGERS.reduce((s, l) => s + expected([l]).oee, 0) / LEDGERS.length;
    expect(Math.abs(view.plant.oee.oee - meanOfOees)).toBeGreaterThan(0.01);
    expect(view.plant).toMatchObject({ plannedMs: all.plannedMs, linesOnline: 3, linesTotal: 3 });
    // Ranked by hours lost: line3 (4 h at a low OEE) first, line2 (1.5 h near 1) last.
    expect(view.lines.map((l) => l.line)).toEqual(['line3', 'line1', 'line2']);
    expect(view.lines[0]).toMatchObject({
      worstStation: 'weld',
      topLoss: { station: 'weld', reason: 'wire_feed', ms: 2 * HOUR },
    });
    expect(view.lines[1]).toMatchObject({ good: 860, target: 1200, behindBy: 90, url: 'http://line1-pi:8080/' });
  });

  it('the websocket sends the view as a snapshot', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const first = await new Promise<{ type: string; data: PlantJson }>((resolve, reject) => {
      ws.once('message', (data: Buffer) =>
        resolve(JSON.parse(data.toString('utf8')) as { type: string; data: PlantJson }),
      );
      ws.once('error', reject);
    });
    ws.close();
    expect(first.type).toBe('snapshot');
    expect(first.data.lines).toHaveLength(3);
  });

  it('an agent publishing offline marks its line offline; a bad message changes nothing', async () => {
    await publish(`${ROOT}/${SITE}/line2/ledger`, '{"seq": 99, not json', false);
    await publish(`${ROOT}/${SITE}/agents/line2-pi/status`, 'offline');
    const view = await plantWhen((p) => p.lines.find((l) => l.line === 'line2')?.online === false, 'line2 offline');
    expect(view.lines.find((l) => l.line === 'line2')).toMatchObject({ status: 'offline', good: 299 });
    expect(view.plant.linesOnline).toBe(2);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await ready.json()) as { ready: boolean; messages: { bad: number } };
    expect(body.ready).toBe(true);
    expect(body.messages.bad).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^lineside_plant_mqtt_bad_messages_total [1-9]/m);
    expect(metrics).toMatch(/^lineside_plant_line_online\{site="plant1",line="line2"\} 0$/m);
    const checked = promtoolCheck(metrics);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
    expect(expositionProblems(metrics)).toEqual([]);
    // The refusal is logged with its topic and code; the password never is.
    await until(() => logs.includes('BAD_MESSAGE'), 'the bad message in the log');
    const line = logs.split('\n').find((l) => l.includes('BAD_MESSAGE')) ?? '';
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      topic: `${ROOT}/${SITE}/line2/ledger`,
      reason: expect.stringMatching(/not JSON/),
    });
    expect(logs).not.toContain(PASSWORD);
  });

  it('keeps the shift history across a restart, even when the broker no longer has it', async () => {
    // line1's early shift ends (final), then its late shift starts: the late ledger replaces the
    // retained early one on the broker.
    const early = LEDGERS[0] as LedgerSpec;
    await publish(`${ROOT}/${SITE}/line1/ledger`, ledgerMessage({ ...early, seq: 60, ts: EARLY.end, final: true }));
    const late = { ...early, seq: 61, shift: 'late', ...LATE, ts: iso(8.5) };
    await publish(`${ROOT}/${SITE}/line1/ledger`, ledgerMessage(late));
    const before = await plantWhen(
      (p) => p.lines.some((l) => l.line === 'line1' && l.shiftStart === Date.parse(LATE.start)),
      'line1 in its late shift',
    );
    expect(before.lines).toHaveLength(3);
    const offlineSince = before.lines.find((l) => l.line === 'line2')?.statusSince;
    expect(offlineSince).toBeGreaterThan(0);

    expect(await stopPlant()).toBe(0);
    // line3's retained ledger is cleared on the broker: only the plant history still has it.
    await publish(`${ROOT}/${SITE}/line3/ledger`, '');
    await startPlant();

    const after = await plantWhen((p) => p.lines.length === 3, 'three lines after the restart');
    // "offline since" is when it went offline, not when the plant server came back.
    expect(after.lines.find((l) => l.line === 'line2')).toMatchObject({ status: 'offline', statusSince: offlineSince });
    expect(after.lines.find((l) => l.line === 'line3')?.oee?.oee).toBeCloseTo(
      expected([LEDGERS[2] as LedgerSpec]).oee,
      9,
    );
    const shifts = await get<{
      summed: { shifts: number; oee: { oee: number } };
      shifts: Array<{ line: string; start: number; final: boolean; seq: number; oee: { oee: number } }>;
    }>(`/api/plant/shifts?from=${encodeURIComponent(iso(-1))}&to=${BASE + 17 * HOUR}`);
    const rows = shifts.shifts.map((r) => [r.line, new Date(r.start).toISOString(), r.seq, r.final]);
    expect(rows).toEqual([
      ['line1', EARLY.start, 60, true],
      ['line2', EARLY.start, 12, false],
      ['line3', EARLY.start, 7, false],
      ['line1', LATE.start, 61, false],
    ]);
    expect(shifts.shifts[0]?.oee.oee).toBeCloseTo(expected([early]).oee, 9);
    // The listed shifts summed (never a mean of their OEEs).
    expect(shifts.summed.shifts).toBe(4);
    expect(shifts.summed.oee.oee).toBeCloseTo(
      expected([early, LEDGERS[1] as LedgerSpec, LEDGERS[2] as LedgerSpec, late]).oee,
      9,
    );
  });

  it('has help, and exits 2 without a file', async () => {
    const help = await runCli(['plant', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: lineside plant -c FILE/);
    expect((await runCli(['--help'])).stdout).toMatch(/plant -c FILE/);
    const missing = await runCli(['plant']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing -c FILE/);
  });

  it('exits 2 naming the field on a bad plant file', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, `kind: plant\nenterprise: acme\nsites: [p]\nmqtt: { url: "mqtt://x" }\nhistory: { days: -1 }\n`);
    const c = spawnCli(['plant', '-c', bad]);
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => c.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/history\.days \(5:\d+\): must be >= 1/);
  });
});
