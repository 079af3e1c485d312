/**
 * The Sparkplug B payload codec against an independent decoder and encoder: Eclipse Tahu's
 * `sparkplug-payload` (protobufjs with the reference .proto). Every datatype this edge node
 * publishes, negative and 64-bit values, null, is_historical, properties; and our decoder reads
 * what Tahu encodes (an NCMD from a host).
 */
import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, type Metric } from '../../../src/outputs/sparkplug/payload.js';
import { decodeWithTahu, tahu } from './tahu.js';

const T = Date.UTC(2026, 11, 5, 8, 30);

describe('Sparkplug B payload', () => {
  it('encodes every datatype of a birth so that Tahu reads the same names, types and values', () => {
    const metrics: Metric[] = [
      { name: 'bdSeq', datatype: 'Int64', value: 7, timestamp: T },
      { name: 'Node Control/Rebirth', datatype: 'Boolean', value: false, timestamp: T },
      { name: 'Status/State', alias: 1, datatype: 'String', value: 'running', timestamp: T },
      { name: 'Production/Count', alias: 2, datatype: 'UInt64', value: 123_456_789_012, timestamp: T },
      { name: 'Production/Reject', alias: 3, datatype: 'Int64', value: -5, timestamp: T },
      { name: 'Alerts/Open', alias: 4, datatype: 'Int32', value: -2, timestamp: T },
      { name: 'Small', alias: 5, datatype: 'Int8', value: -128, timestamp: T },
      { name: 'Cycle/LastMs', alias: 6, datatype: 'Double', value: 10_123.5, timestamp: T },
      { name: 'Temp', alias: 7, datatype: 'Float', value: 21.5, timestamp: T },
      { name: 'Since', alias: 8, datatype: 'DateTime', value: T - 60_000, timestamp: T },
      { name: 'Counter16', alias: 9, datatype: 'UInt16', value: 65_535, timestamp: T },
      { name: 'Note', alias: 10, datatype: 'Text', value: 'Grüße ✓', timestamp: T },
      { name: 'Big', alias: 11, datatype: 'UInt64', value: 18_446_744_073_709_551_615n, timestamp: T },
    ];
    const decoded = decodeWithTahu(encodePayload({ timestamp: T, seq: 0, metrics }));
    expect(decoded.timestamp).toBe(T);
    expect(decoded.seq).toBe(0);
    expect(decoded.metrics.map((m) => [m.name, m.alias, m.type, m.value, m.timestamp])).toEqual(
      metrics.map((m) => [m.name, m.alias, m.datatype, m.value, T]),
    );
  });

  it('leaves name and datatype out of DATA (alias only), and marks null and historical values', () => {
    const bytes = encodePayload({
      timestamp: T,
      seq: 255,
      metrics: [
        { alias: 2, valueType: 'UInt64', value: 42, timestamp: T },
        { alias: 6, valueType: 'Double', value: 9_000, timestamp: T - 1_000, isHistorical: true },
        { alias: 1, valueType: 'String', value: null, timestamp: T },
      ],
    });
    const ours = decodePayload(bytes);
    expect(ours.seq).toBe(255);
    expect(ours.metrics).toEqual([
      { alias: 2, timestamp: T, value: 42n },
      { alias: 6, timestamp: T - 1_000, isHistorical: true, value: 9_000 },
      { alias: 1, timestamp: T, isNull: true },
    ]);
    const theirs = tahu.decodePayload(bytes);
    expect(theirs.metrics?.map((m) => m.name)).toEqual([undefined, undefined, undefined]);
    expect(theirs.metrics?.[1]?.isHistorical).toBe(true);
  });

  it('carries properties (engineering units) as a PropertySet Tahu reads', () => {
    const bytes = encodePayload({
      metrics: [
        {
          name: 'Condition/vibration',
          alias: 12,
          datatype: 'Double',
          value: 4.2,
          properties: { engUnit: { type: 'String', value: 'mm/s' }, warning: { type: 'Double', value: 4.5 } },
        },
      ],
    });
    expect(decodeWithTahu(bytes).metrics[0]?.properties).toEqual({
      engUnit: { type: 'String', value: 'mm/s' },
      warning: { type: 'Double', value: 4.5 },
    });
  });

  it("reads a host's NCMD as Tahu encodes it", () => {
    const bytes = tahu.encodePayload({
      timestamp: T,
      metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
    });
    const cmd = decodePayload(bytes);
    expect(cmd.timestamp).toBe(T);
    expect(cmd.metrics).toEqual([{ name: 'Node Control/Rebirth', datatype: 11, value: true }]);
  });

  it('refuses bytes that are not a payload, naming what is wrong', () => {
    expect(() => decodePayload(Uint8Array.from([0x12, 0x05, 0x0a]))).toThrow(/truncated/);
    expect(() => decodePayload(Uint8Array.from([0x08, 0xff]))).toThrow(/truncated varint/);
  });
});
