import { describe, expect, it } from 'vitest';
import { MAX_LINES, MAX_STATIONS_PER_LINE, PlantModel } from '../../../src/plant/model.js';
import { parseTopic, plantSubscriptions } from '../../../src/plant/topics.js';
import { HOUR, ledgerMessage, type LedgerSpec, type StationFigures } from '../../helpers/plant-ledgers.js';

const ROOT = 'acme';
const SITE = 'plant1';
const START = '2026-03-02T06:00:00.000Z';
const END = '2026-03-02T14:00:00.000Z';
const TS = '2026-03-02T10:00:00.000Z';

function model(options: Partial<ConstructorParameters<typeof PlantModel>[0]> = {}) {
  return new PlantModel({ root: ROOT, sites: [SITE], name: 'Plant 1', ...options });
}

function send(m: PlantModel, spec: Partial<LedgerSpec> & Pick<LedgerSpec, 'line' | 'stations'>, site = SITE) {
  const msg = ledgerMessage({ seq: 1, start: START, end: END, ts: TS, ...spec });
  return m.ingest(`${ROOT}/${site}/${spec.line}/ledger`, JSON.stringify(msg), 1000);
}

/** One-station line with the given figures. */
const one = (f: { plannedMs: number; runMs: number; idealMs: number; total: number; good: number }) => [
  { station: 'pack', ...f },
];

describe('plant OEE sums times and counts, never averages OEEs', () => {
  it('a long poor line and a short perfect one: the summed answer, not the mean', () => {
    const m = model();
    // line1: 8 h planned, 4 h run at ideal speed, all good: OEE 0.5.
    send(m, {
      line: 'line1',
      stations: one({ plannedMs: 8 * HOUR, runMs: 4 * HOUR, idealMs: 4 * HOUR, total: 100, good: 100 }),
    });
    // line2: 1 h planned, 1 h run at ideal speed, all good: OEE 1.
    send(m, { line: 'line2', stations: one({ plannedMs: HOUR, runMs: HOUR, idealMs: HOUR, total: 50, good: 50 }) });
    const { plant, lines } = m.view();
    expect(lines.find((l) => l.line === 'line1')?.oee?.oee).toBeCloseTo(0.5, 12);
    expect(lines.find((l) => l.line === 'line2')?.oee?.oee).toBeCloseTo(1, 12);
    // Σ run / Σ planned = 5/9; the mean of OEEs would be 0.75.
    expect(plant.oee.availability).toBeCloseTo(5 / 9, 12);
    expect(plant.oee.performance).toBeCloseTo(1, 12);
    expect(plant.oee.quality).toBeCloseTo(1, 12);
    expect(plant.oee.oee).toBeCloseTo(5 / 9, 12);
    expect(plant.oee.oee).not.toBeCloseTo(0.75, 3);
    expect(plant).toMatchObject({ plannedMs: 9 * HOUR, runMs: 5 * HOUR, good: 150, total: 150, linesInFigures: 2 });
  });

  it('quality and performance are summed too', () => {
    const m = model();
    send(m, {
      line: 'a',
      stations: one({ plannedMs: 4 * HOUR, runMs: 4 * HOUR, idealMs: 2 * HOUR, total: 1000, good: 900 }),
    });
    send(m, {
      line: 'b',
      stations: one({ plannedMs: 4 * HOUR, runMs: 2 * HOUR, idealMs: 2 * HOUR, total: 10, good: 5 }),
    });
    const { plant } = m.view();
    expect(plant.oee.availability).toBeCloseTo(6 / 8, 12);
    expect(plant.oee.performance).toBeCloseTo(4 / 6, 12);
    expect(plant.oee.quality).toBeCloseTo(905 / 1010, 12); // the mean of qualities would be 0.7
    expect(plant.oee.oee).toBeCloseTo((6 / 8) * (4 / 6) * (905 / 1010), 12);
    // Hours lost of the plant: Σ plannedMs × (1 − plant OEE).
    expect(plant.hoursLost).toBeCloseTo(8 * (1 - plant.oee.oee), 12);
  });

  it('TEEP = OEE × Σ planned / Σ elapsed shift wall time (start to ts, or to end once final)', () => {
    const m = model();
    // 4 h elapsed (06:00 → 10:00), 3 h planned.
    send(m, {
      line: 'a',
      stations: one({ plannedMs: 3 * HOUR, runMs: 3 * HOUR, idealMs: 3 * HOUR, total: 1, good: 1 }),
    });
    // final: 8 h elapsed, 6 h planned, OEE 0.5.
    send(m, {
      line: 'b',
      final: true,
      ts: '2026-03-02T14:00:05.000Z',
      stations: one({ plannedMs: 6 * HOUR, runMs: 3 * HOUR, idealMs: 3 * HOUR, total: 1, good: 1 }),
    });
    const { plant } = m.view();
    expect(plant.elapsedMs).toBe(12 * HOUR);
    expect(plant.oee.oee).toBeCloseTo(6 / 9, 12);
    expect(plant.teep).toBeCloseTo((6 / 9) * (9 / 12), 12);
  });
});

describe('a line from its ledger', () => {
  const stations: StationFigures[] = [
    {
      station: 'press',
      plannedMs: 4 * HOUR,
      runMs: 3 * HOUR,
      idealMs: 2.5 * HOUR,
      total: 800,
      good: 800,
      smallStopMs: 0.1 * HOUR,
      downByReason: { jam: 0.5 * HOUR, unassigned: 0.1 * HOUR },
    },
    {
      station: 'weld',
      plannedMs: 4 * HOUR,
      runMs: 3 * HOUR,
      idealMs: 2.8 * HOUR,
      total: 790,
      good: 780,
      downByReason: { wire_feed: 0.7 * HOUR },
    },
    {
      station: 'pack',
      plannedMs: 4 * HOUR,
      runMs: 3.5 * HOUR,
      idealMs: 3 * HOUR,
      total: 760,
      good: 750,
      target: 1000,
      behindBy: 40,
    },
  ];

  it('OEE, output vs target, hours lost, worst station and top loss', () => {
    const m = model({ links: [{ site: SITE, line: 'line1', url: 'http://line1-pi:8080/' }] });
    send(m, { line: 'line1', stations });
    const line = m.view().lines[0];
    expect(line).toMatchObject({
      site: SITE,
      line: 'line1',
      agentId: 'line1-pi',
      source: 'ledger',
      shift: 'early',
      shiftStart: Date.parse(START),
      shiftEnd: Date.parse(END),
      asOf: Date.parse(TS),
      good: 750,
      total: 760,
      target: 1000,
      behindBy: 40,
      url: 'http://line1-pi:8080/',
      topLoss: { station: 'weld', reason: 'wire_feed', ms: 0.7 * HOUR },
    });
    const a = 3.5 / 4;
    const p = 3 / 3.5;
    const q = 750 / 760;
    expect(line?.oee?.availability).toBeCloseTo(a, 12);
    expect(line?.oee?.performance).toBeCloseTo(p, 12);
    expect(line?.oee?.quality).toBeCloseTo(q, 12);
    expect(line?.oee?.oee).toBeCloseTo(a * p * q, 12);
    expect(line?.hoursLost).toBeCloseTo(4 * (1 - a * p * q), 12);
    // press: 0.6 h down + 0.1 h small stops + (3 − 0.1 − 2.5) h slow = 1.1 h; weld: 0.7 + 0.2 = 0.9 h.
    expect(line?.worstStation).toBe('press');
    expect(line?.worstStationLostMs).toBeCloseTo(1.1 * HOUR, 3);
  });

  it('a tie for worst station goes to the station that is down now', () => {
    const m = model();
    const tie = [
      { station: 'a', plannedMs: HOUR, runMs: HOUR, idealMs: 0.5 * HOUR, total: 1, good: 1 },
      { station: 'b', plannedMs: HOUR, runMs: HOUR, idealMs: 0.5 * HOUR, total: 1, good: 1 },
    ];
    send(m, { line: 'l', stations: tie });
    expect(m.view().lines[0]?.worstStation).toBe('a');
    m.ingest(`${ROOT}/${SITE}/l/b/state`, JSON.stringify({ state: 'down', since: TS, reason: 'jam' }), 1);
    expect(m.view().lines[0]).toMatchObject({ worstStation: 'b', stationsDown: ['b'] });
  });

  it('lines are ranked by hours lost, most first', () => {
    const m = model();
    send(m, { line: 'good', stations: one({ plannedMs: HOUR, runMs: HOUR, idealMs: HOUR, total: 1, good: 1 }) });
    send(m, {
      line: 'bad',
      stations: one({ plannedMs: 8 * HOUR, runMs: 2 * HOUR, idealMs: 2 * HOUR, total: 1, good: 1 }),
    });
    send(m, {
      line: 'mid',
      stations: one({ plannedMs: 8 * HOUR, runMs: 6 * HOUR, idealMs: 6 * HOUR, total: 1, good: 1 }),
    });
    expect(m.view().lines.map((l) => l.line)).toEqual(['bad', 'mid', 'good']);
  });
});

describe('shifts and sequence numbers', () => {
  const f = (runH: number) => one({ plannedMs: 4 * HOUR, runMs: runH * HOUR, idealMs: runH * HOUR, total: 1, good: 1 });

  it('an older seq never overwrites a newer one; a repeat is a duplicate', () => {
    const m = model();
    expect(send(m, { line: 'l', seq: 5, stations: f(3) }).kind).toBe('ledger');
    expect(send(m, { line: 'l', seq: 4, stations: f(1) }).kind).toBe('duplicate');
    expect(send(m, { line: 'l', seq: 5, stations: f(1) }).kind).toBe('duplicate');
    expect(m.view().lines[0]?.oee?.availability).toBeCloseTo(0.75, 12);
    expect(send(m, { line: 'l', seq: 6, stations: f(2) }).kind).toBe('ledger');
    expect(m.view().lines[0]?.oee?.availability).toBeCloseTo(0.5, 12);
    expect(m.stats()).toMatchObject({ ledgers: 2, duplicates: 2, bad: 0 });
  });

  it("a ledger older than the line's newest shift is history, not current", () => {
    const m = model();
    const late = { start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T22:00:00.000Z', ts: '2026-03-02T15:00:00.000Z' };
    send(m, { line: 'l', seq: 10, shift: 'late', ...late, stations: f(1) });
    // The early shift's final ledger, re-published after a reason was re-assigned.
    const r = send(m, { line: 'l', seq: 11, shift: 'early', final: true, stations: f(4) });
    expect(r).toMatchObject({ kind: 'ledger', current: false });
    expect(m.view().lines[0]).toMatchObject({ shift: 'late', shiftStart: Date.parse(late.start) });
    expect(m.view().plant.plannedMs).toBe(4 * HOUR);
  });

  it('a restored ledger and the same retained message agree (dedupe by seq)', () => {
    const m = model();
    const msg = ledgerMessage({ line: 'l', seq: 7, start: START, end: END, ts: TS, stations: f(3) });
    const ledger = { ...msg, ts: Date.parse(TS), start: Date.parse(START), end: Date.parse(END) };
    m.restoreLedger(SITE, 'l', ledger as never);
    expect(m.ingest(`${ROOT}/${SITE}/l/ledger`, JSON.stringify(msg), 1).kind).toBe('duplicate');
    expect(m.view().lines).toHaveLength(1);
  });
});

describe('agents and bad messages', () => {
  it('status online/offline comes through the ledger agentId, with since', () => {
    const m = model();
    send(m, { line: 'l', agentId: 'pi-7', stations: one({ plannedMs: 1, runMs: 1, idealMs: 1, total: 1, good: 1 }) });
    expect(m.view().lines[0]).toMatchObject({ status: 'unknown', online: false, statusSince: null });
    m.ingest(`${ROOT}/${SITE}/agents/pi-7/status`, 'online', 5_000);
    expect(m.view().lines[0]).toMatchObject({ status: 'online', online: true, statusSince: 5_000 });
    expect(m.view().plant).toMatchObject({ linesOnline: 1, linesTotal: 1 });
    m.ingest(`${ROOT}/${SITE}/agents/pi-7/status`, 'online', 6_000);
    expect(m.view().lines[0]?.statusSince).toBe(5_000);
    m.ingest(`${ROOT}/${SITE}/agents/pi-7/status`, 'offline', 9_000);
    expect(m.view().lines[0]).toMatchObject({ status: 'offline', online: false, statusSince: 9_000 });
    expect(m.view().plant.linesOnline).toBe(0);
  });

  it("a bridge notification of 0 takes a bridged line offline though its agent's status still says online (a dead Pi)", () => {
    const m = model();
    send(m, { line: 'l', agentId: 'pi-7', stations: one({ plannedMs: 1, runMs: 1, idealMs: 1, total: 1, good: 1 }) });
    m.ingest(`${ROOT}/${SITE}/agents/pi-7/status`, 'online', 5_000);
    expect(m.ingest(`${ROOT}/${SITE}/agents/pi-7/bridge`, '1', 5_100).kind).toBe('duplicate');
    expect(m.ingest(`${ROOT}/${SITE}/agents/pi-7/bridge`, '0', 7_000).kind).toBe('bridge');
    expect(m.view().lines[0]).toMatchObject({ status: 'offline', online: false, statusSince: 7_000 });
    expect(m.view().plant.linesOnline).toBe(0);
    m.ingest(`${ROOT}/${SITE}/agents/pi-7/bridge`, '1', 8_000);
    expect(m.view().lines[0]).toMatchObject({ status: 'online', online: true, statusSince: 5_000 });
    expect(m.ingest(`${ROOT}/${SITE}/agents/pi-7/bridge`, 'up', 8_000).kind).toBe('bad');
    expect(plantSubscriptions(ROOT, [SITE])).toContain(`${ROOT}/${SITE}/agents/+/bridge`);
  });

  it('a restored status keeps its since when the same retained status arrives again', () => {
    const m = model();
    send(m, { line: 'l', agentId: 'pi-7', stations: one({ plannedMs: 1, runMs: 1, idealMs: 1, total: 1, good: 1 }) });
    m.restoreStatus(SITE, 'pi-7', 'offline', 2_000);
    expect(m.ingest(`${ROOT}/${SITE}/agents/pi-7/status`, 'offline', 9_000).kind).toBe('duplicate');
    expect(m.view().lines[0]).toMatchObject({ status: 'offline', statusSince: 2_000 });
    expect(m.ingest(`${ROOT}/${SITE}/agents/pi-7/status`, 'online', 10_000)).toEqual({
      kind: 'status',
      site: SITE,
      agentId: 'pi-7',
      status: 'online',
      sinceMs: 10_000,
    });
  });

  it.each([
    ['not JSON', '{"seq": 1,', /not JSON/],
    ['a missing field', JSON.stringify({ seq: 1 }), /eventId/],
    ['a negative time', null, /line\.runMs/],
    ['end before start', null, /end/],
  ])('a ledger with %s is refused and counted; nothing is taken', (_name, payload, reason) => {
    const m = model();
    const good = ledgerMessage({
      line: 'l',
      seq: 1,
      start: START,
      end: END,
      ts: TS,
      stations: one({ plannedMs: HOUR, runMs: HOUR, idealMs: HOUR, total: 1, good: 1 }),
    });
    let text = payload;
    if (text === null && String(reason) === String(/line\.runMs/))
      text = JSON.stringify({ ...good, line: { ...(good.line as object), runMs: -5 } });
    if (text === null) text = JSON.stringify({ ...good, end: '2026-03-01T00:00:00.000Z' });
    const r = m.ingest(`${ROOT}/${SITE}/l/ledger`, text, 1);
    expect(r.kind).toBe('bad');
    expect(r.kind === 'bad' ? r.reason : '').toMatch(reason);
    expect(m.view().lines).toHaveLength(0);
    expect(m.stats().bad).toBe(1);
    // The next good message is taken as usual.
    expect(m.ingest(`${ROOT}/${SITE}/l/ledger`, JSON.stringify(good), 2).kind).toBe('ledger');
  });

  it('a bad status or state is refused without touching what was there', () => {
    const m = model();
    m.ingest(`${ROOT}/${SITE}/agents/a/status`, 'online', 1);
    expect(m.ingest(`${ROOT}/${SITE}/agents/a/status`, 'maybe', 2).kind).toBe('bad');
    expect(m.ingest(`${ROOT}/${SITE}/l/s/state`, '{"state":"dancing"}', 2).kind).toBe('bad');
    expect(m.ingest(`${ROOT}/${SITE}/l/oee`, '[]', 2).kind).toBe('bad');
    expect(m.ingest(`${ROOT}/${SITE}/l/ledger`, 'x'.repeat(300 * 1024), 2).kind).toBe('bad');
    expect(m.view().lines).toHaveLength(0);
    expect(m.stats()).toMatchObject({ bad: 4, messages: 5 });
  });

  it('a publisher inventing lines or stations by the thousand is refused, not remembered', () => {
    const m = model();
    const state = JSON.stringify({ state: 'running', since: TS });
    for (let i = 0; i < MAX_LINES; i++) expect(m.ingest(`${ROOT}/${SITE}/l${i}/s/state`, state, 1).kind).toBe('state');
    const r = m.ingest(`${ROOT}/${SITE}/one-more/s/state`, state, 1);
    expect(r).toMatchObject({ kind: 'bad', reason: expect.stringMatching(/more than 1000 lines/) });
    for (let i = 1; i < MAX_STATIONS_PER_LINE; i++) m.ingest(`${ROOT}/${SITE}/l0/s${i}/state`, state, 1);
    expect(m.ingest(`${ROOT}/${SITE}/l0/too-many/state`, state, 1).kind).toBe('bad');
    expect(m.view().lines).toHaveLength(MAX_LINES);
  });

  it("a line with only its oee topic shows it but is not in the plant's sums", () => {
    const m = model();
    const oee = {
      shift: 'early',
      availability: 0.9,
      performance: 0.8,
      quality: 1,
      oee: 0.72,
      counts: { total: 5, good: 5 },
    };
    expect(m.ingest(`${ROOT}/${SITE}/old/oee`, JSON.stringify(oee), 1).kind).toBe('oee');
    expect(m.view().lines[0]).toMatchObject({ source: 'oee', oee: { oee: 0.72 }, good: 5, hoursLost: null });
    expect(m.view().plant).toMatchObject({ linesInFigures: 0, plannedMs: 0, linesTotal: 1 });
  });
});

describe('topics', () => {
  it('reads the four kinds and ignores other sites and topics', () => {
    expect(parseTopic('acme/p1/line1/ledger', 'acme', ['p1'])).toEqual({ kind: 'ledger', site: 'p1', line: 'line1' });
    expect(parseTopic('acme/p1/agents/pi/status', 'acme', '+')).toEqual({ kind: 'status', site: 'p1', agentId: 'pi' });
    expect(parseTopic('acme/p1/line1/press/state', 'acme', '+')).toMatchObject({ kind: 'state', station: 'press' });
    expect(parseTopic('acme/p1/line1/oee', 'acme', '+')).toMatchObject({ kind: 'oee', line: 'line1' });
    expect(parseTopic('acme/p2/line1/ledger', 'acme', ['p1'])).toBeUndefined();
    expect(parseTopic('other/p1/line1/ledger', 'acme', '+')).toBeUndefined();
    expect(parseTopic('acme/p1/line1/press/oee', 'acme', '+')).toBeUndefined();
    expect(parseTopic('acme/p1/agents/ledger', 'acme', '+')).toBeUndefined();
  });

  it('subscribes to the five kinds per site', () => {
    expect(plantSubscriptions('acme', ['p1'])).toEqual([
      'acme/p1/+/ledger',
      'acme/p1/agents/+/status',
      'acme/p1/agents/+/bridge',
      'acme/p1/+/oee',
      'acme/p1/+/+/state',
    ]);
    expect(plantSubscriptions('acme', '+')[0]).toBe('acme/+/+/ledger');
  });
});
