/**
 * The edge node's session rules (spec 3.0), decoded with Eclipse Tahu's codec: births, seq,
 * DDATA by exception and alias only, DDEATH/DBIRTH on comms, rebirth, NDEATH. Test names carry
 * the spec's tck-id where one applies.
 */
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../../src/core/events.js';
import { decodePayload } from '../../../src/outputs/sparkplug/payload.js';
import { EdgeNodeSession, type SparkplugMessage } from '../../../src/outputs/sparkplug/session.js';
import { decodeWithTahu } from './tahu.js';

const T = Date.UTC(2026, 11, 5, 8);
const cfg = { groupId: 'plant1', edgeNodeId: 'line1-pi', stations: ['press', 'weld'], version: '0.1.0' };

let n = 0;
function ev(station: string, body: Record<string, unknown>): CoreEvent {
  n++;
  return { id: `${station}-${n}`, line: 'line1', station, seq: n, ts: T + n * 1000, ...body } as unknown as CoreEvent;
}
const state = (station: string, s: string, previous = 'running') =>
  ev(station, { type: 'state', state: s, previous, since: T });
const cycle = (station: string, good = true, shift = 'early') =>
  ev(station, { type: 'cycle', cycleTimeMs: 10_000.123456, good, shift });

const seqs = (messages: readonly SparkplugMessage[]) => messages.map((m) => decodeWithTahu(m.payload).seq);

describe('Sparkplug edge node session', () => {
  it('tck-id-topics-nbirth-seq-num, tck-id-topics-nbirth-bdseq-included, tck-id-payloads-nbirth-rebirth-req: NBIRTH seq 0 with bdSeq and Rebirth=false', () => {
    const s = new EdgeNodeSession(cfg);
    const [nbirth] = s.births(7, T);
    expect(nbirth?.topic).toBe('spBv1.0/plant1/NBIRTH/line1-pi');
    const p = decodeWithTahu(nbirth?.payload ?? new Uint8Array());
    expect(p.seq).toBe(0);
    expect(p.timestamp).toBe(T);
    expect(p.metrics.find((m) => m.name === 'bdSeq')).toMatchObject({ type: 'Int64', value: 7 });
    const rebirth = p.metrics.find((m) => m.name === 'Node Control/Rebirth');
    expect(rebirth).toMatchObject({ type: 'Boolean', value: false });
    expect(rebirth?.alias).toBeUndefined();
    for (const m of p.metrics) expect(m.type).toBeDefined();
  });

  it('tck-id-topics-dbirth-seq, tck-id-payloads-dbirth-seq-inc: a DBIRTH per station right after NBIRTH, seq counting on', () => {
    const s = new EdgeNodeSession(cfg);
    const births = s.births(0, T);
    expect(births.map((m) => [m.kind, m.topic])).toEqual([
      ['NBIRTH', 'spBv1.0/plant1/NBIRTH/line1-pi'],
      ['DBIRTH', 'spBv1.0/plant1/DBIRTH/line1-pi/press'],
      ['DBIRTH', 'spBv1.0/plant1/DBIRTH/line1-pi/weld'],
    ]);
    expect(seqs(births)).toEqual([0, 1, 2]);
  });

  it('tck-id-topics-dbirth-metrics, tck-id-payloads-alias-uniqueness: a DBIRTH lists every metric with name, datatype and a node-unique alias', () => {
    const s = new EdgeNodeSession(cfg);
    const [, press, weld] = s.births(0, T).map((m) => decodeWithTahu(m.payload));
    const names = press?.metrics.map((m) => m.name);
    expect(names).toContain('State');
    expect(names).toContain('OEE/OEE');
    expect(press?.metrics.find((m) => m.name === 'Production/Good')?.type).toBe('UInt64');
    expect(press?.metrics.find((m) => m.name === 'Alerts/Open')?.type).toBe('Int32');
    const aliases = [...(press?.metrics ?? []), ...(weld?.metrics ?? [])].map((m) => m.alias);
    expect(new Set(aliases).size).toBe(aliases.length);
    // Nothing known yet: values are null, typed.
    expect(press?.metrics.find((m) => m.name === 'State')).toMatchObject({ type: 'String', value: null });
  });

  it('tck-id-payloads-ddata-seq-inc, tck-id-payloads-alias-data-cmd-requirement, tck-id-payloads-metric-datatype-not-req: DDATA only on change, by alias, seq +1', () => {
    const s = new EdgeNodeSession(cfg);
    const births = s.births(0, T);
    const aliasOf = new Map(
      (decodeWithTahu(births[1]?.payload ?? new Uint8Array()).metrics ?? []).map((m) => [m.name, m.alias]),
    );
    const first = s.apply(state('press', 'running', 'down'), T + 5);
    expect(first.map((m) => m.topic)).toEqual(['spBv1.0/plant1/DDATA/line1-pi/press']);
    // Tahu reads the structure: no name, no datatype (tck-id-payloads-metric-datatype-not-req);
    // the values need the birth's datatypes, so they are read raw with ours.
    const d = decodeWithTahu(first[0]?.payload ?? new Uint8Array());
    expect(d.seq).toBe(3);
    expect(d.metrics.map((m) => [m.name, m.alias, m.type])).toEqual([[undefined, aliasOf.get('State'), undefined]]);
    expect(decodePayload(first[0]?.payload ?? new Uint8Array()).metrics).toEqual([
      { alias: aliasOf.get('State'), timestamp: expect.any(Number), value: 'running' },
    ]);
    // The same state again changes nothing: no message.
    expect(s.apply(state('press', 'running', 'running'), T + 6)).toEqual([]);
    const c = decodePayload(s.apply(cycle('press', false), T + 7)[0]?.payload ?? new Uint8Array());
    expect(c.seq).toBe(4);
    expect(Object.fromEntries(c.metrics.map((m) => [m.alias, m.value]))).toEqual({
      [String(aliasOf.get('Production/Total'))]: 1n,
      [String(aliasOf.get('Production/Good'))]: 0n,
      [String(aliasOf.get('Production/Reject'))]: 1n,
      [String(aliasOf.get('Cycle/Last Time ms'))]: 10_000.123,
      [String(aliasOf.get('OEE/Shift'))]: 'early',
    });
  });

  it('tck-id-payloads-sequence-num-incrementing: seq wraps from 255 to 0', () => {
    const s = new EdgeNodeSession(cfg);
    const all = [...s.births(0, T)];
    for (let i = 0; i < 300; i++) all.push(...s.apply(cycle('press'), T + i));
    const got = seqs(all);
    expect(got.slice(254, 259)).toEqual([254, 255, 0, 1, 2]);
  });

  it('tck-id-payloads-ddeath-seq-inc, tck-id-operational-behavior-device-ddeath: DDEATH when comms are lost, a full DBIRTH when back', () => {
    const s = new EdgeNodeSession(cfg);
    s.births(0, T);
    const death = s.apply(state('weld', 'comms_lost'), T + 1);
    expect(death.map((m) => [m.kind, m.topic])).toEqual([['DDEATH', 'spBv1.0/plant1/DDEATH/line1-pi/weld']]);
    expect(decodeWithTahu(death[0]?.payload ?? new Uint8Array()).seq).toBe(3);
    expect(s.apply(cycle('weld'), T + 2)).toEqual([]); // no DATA for a dead device
    const back = s.apply(state('weld', 'running', 'comms_lost'), T + 3);
    expect(back.map((m) => m.kind)).toEqual(['DBIRTH']);
    const birth = decodeWithTahu(back[0]?.payload ?? new Uint8Array());
    expect(birth.metrics.find((m) => m.name === 'State')?.value).toBe('running');
    expect(birth.metrics.find((m) => m.name === 'Production/Total')?.value).toBe(1); // learnt while dead
    // A node birth meanwhile leaves a dead device out.
    s.apply(state('weld', 'comms_lost'), T + 4);
    expect(s.births(1, T + 5).map((m) => m.topic)).not.toContain('spBv1.0/plant1/DBIRTH/line1-pi/weld');
  });

  it('tck-id-payloads-ndeath-bdseq, tck-id-payloads-ndeath-seq: NDEATH carries only bdSeq and no seq', () => {
    const s = new EdgeNodeSession(cfg);
    const p = decodeWithTahu(s.death(255, T));
    expect(p.seq).toBeUndefined();
    expect(p.metrics).toEqual([expect.objectContaining({ name: 'bdSeq', type: 'Int64', value: 255 })]);
  });

  it('a rebirth restarts seq at 0 and carries the current values; a restored session remembers them', () => {
    const s = new EdgeNodeSession(cfg);
    s.births(3, T);
    s.apply(state('press', 'down', 'running'), T + 1);
    s.apply(ev('press', { type: 'alert', alertId: 'a1', status: 'active', severity: 'warning' }), T + 2);
    const again = s.births(3, T + 3);
    expect(seqs(again)).toEqual([0, 1, 2]);
    const press = decodeWithTahu(again[1]?.payload ?? new Uint8Array());
    expect(press.metrics.find((m) => m.name === 'State')?.value).toBe('down');
    expect(press.metrics.find((m) => m.name === 'Alerts/Open')?.value).toBe(1);
    const restored = new EdgeNodeSession(cfg, JSON.parse(JSON.stringify(s.state())));
    const r = decodeWithTahu(restored.births(4, T + 4)[1]?.payload ?? new Uint8Array());
    expect(r.metrics.find((m) => m.name === 'State')?.value).toBe('down');
    expect(
      restored.apply(ev('press', { type: 'alert', alertId: 'a1', status: 'resolved', severity: 'warning' }), T + 5),
    ).toHaveLength(1);
  });

  it('ignores events of stations it does not know and line-level events', () => {
    const s = new EdgeNodeSession(cfg);
    s.births(0, T);
    expect(s.apply(state('paint', 'down'), T)).toEqual([]);
    expect(s.apply({ ...state('press', 'down'), station: undefined } as unknown as CoreEvent, T)).toEqual([]);
  });

  it('while not born, live events only update what the births carry, and use no seq', () => {
    const s = new EdgeNodeSession(cfg);
    expect(s.apply(state('press', 'down', 'running'), T, false)).toEqual([]);
    expect(s.apply(state('weld', 'comms_lost'), T, false)).toEqual([]);
    const births = s.births(1, T + 1);
    expect(births.map((m) => m.topic)).toEqual([
      'spBv1.0/plant1/NBIRTH/line1-pi',
      'spBv1.0/plant1/DBIRTH/line1-pi/press', // weld lost its comms meanwhile: no birth
    ]);
    expect(seqs(births)).toEqual([0, 1]);
    const press = decodeWithTahu(births[1]?.payload ?? new Uint8Array());
    expect(press.metrics.find((m) => m.name === 'State')?.value).toBe('down');
  });

  it('is_historical (spec 6.4.7): stored events become DDATA of their own, every metric is_historical with the event time, diffed against the replay', () => {
    const s = new EdgeNodeSession(cfg);
    s.births(0, T);
    const a = cycle('press');
    const b = cycle('press', false);
    s.apply(a, T, false);
    s.apply(b, T, false);
    const history = (e: CoreEvent, now: number) => {
      const change = s.replay(e);
      return change === undefined ? undefined : s.historyMessage(change, now);
    };
    const first = decodePayload(history(a, T + 10)?.payload ?? new Uint8Array());
    expect(first.metrics.every((m) => m.isHistorical === true && m.timestamp === a.ts)).toBe(true);
    const second = decodePayload(history(b, T + 11)?.payload ?? new Uint8Array());
    // Replayed in order: the reject is the second cycle's, counted from the first.
    expect(second.metrics.map((m) => m.value)).toContain(2n);
    expect(second.seq).toBe(4);
    // An event the host got live is replayed too (nothing sent): the same one again changes nothing.
    const c = state('press', 'down', 'running');
    expect(s.replay(c)).toBeDefined();
    expect(s.replay(c)).toBeUndefined();
  });

  it('tck-id-payloads-ndata-seq-inc: node figures are in NBIRTH and go out as NDATA when they change, seq counting on', () => {
    const s = new EdgeNodeSession(cfg);
    s.nodeData({ uptimeS: 5, spoolBacklog: 0 }, T, false);
    const [nbirth] = s.births(0, T);
    const p = decodeWithTahu(nbirth?.payload ?? new Uint8Array());
    expect(p.metrics.find((m) => m.name === 'Node/Uptime s')).toMatchObject({ type: 'UInt64', value: 5 });
    expect(p.metrics.find((m) => m.name === 'Node/Spool Backlog')).toMatchObject({ type: 'UInt64', value: 0 });
    const [ndata] = s.nodeData({ uptimeS: 65, spoolBacklog: 0 }, T + 60_000, true);
    expect(ndata?.topic).toBe('spBv1.0/plant1/NDATA/line1-pi');
    const d = decodePayload(ndata?.payload ?? new Uint8Array());
    expect(d.seq).toBe(3);
    expect(d.metrics).toEqual([{ alias: 3, timestamp: T + 60_000, value: 65n }]); // the backlog did not change
    expect(s.nodeData({ uptimeS: 65, spoolBacklog: 0 }, T + 61_000, true)).toEqual([]);
  });

  it('condition signals: a Double metric each in the DBIRTH with unit and limits as properties, DDATA when the value changes, history too', () => {
    const s = new EdgeNodeSession({
      ...cfg,
      conditions: {
        press: [
          {
            tag: 'plc1.vibration',
            name: 'Condition/vibration',
            properties: { engUnit: { type: 'String', value: 'mm/s' }, warning: { type: 'Double', value: 4.5 } },
          },
        ],
      },
    });
    expect(s.watchesSamples).toBe(true);
    expect(s.watches('plc1.vibration')).toBe(true);
    expect(s.watches('plc1.other')).toBe(false);
    const births = s.births(0, T);
    const press = decodeWithTahu(births[1]?.payload ?? new Uint8Array());
    const vib = press.metrics.find((m) => m.name === 'Condition/vibration');
    expect(vib).toMatchObject({ type: 'Double', value: null, alias: 1014 });
    expect(vib?.properties).toEqual({
      engUnit: { type: 'String', value: 'mm/s' },
      warning: { type: 'Double', value: 4.5 },
    });
    const weld = decodeWithTahu(births[2]?.payload ?? new Uint8Array());
    expect(weld.metrics.some((m) => m.name?.startsWith('Condition/'))).toBe(false);
    const [d] = s.sample('plc1.vibration', 3.25, T + 5, T + 6);
    expect(d?.topic).toBe('spBv1.0/plant1/DDATA/line1-pi/press');
    expect(decodePayload(d?.payload ?? new Uint8Array()).metrics).toEqual([
      { alias: 1014, timestamp: T + 5, value: 3.25 },
    ]);
    expect(s.sample('plc1.vibration', 3.25, T + 7, T + 8)).toEqual([]);
    const [h] = s.replaySample('plc1.vibration', 3.5, T + 9);
    const hist = decodePayload(s.historyMessage(h as NonNullable<typeof h>, T + 10).payload);
    expect(hist.metrics).toEqual([{ alias: 1014, timestamp: T + 9, isHistorical: true, value: 3.5 }]);
  });
});
