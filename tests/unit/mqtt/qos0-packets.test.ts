/**
 * The hand-encoded QoS 0 PUBLISH packets, read back by mqtt.js's own parser (mqtt-packet): both
 * protocol versions, the retain flag, one to four length bytes, UTF-8 topics and payloads.
 */
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { encodeQos0Publishes } from '../../../src/outputs/mqtt/qos0-packets.js';

interface Parsed {
  cmd: string;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
}

function parse(bytes: Buffer, protocolVersion: number): Parsed[] {
  const parser = mqttPacket.parser({ protocolVersion });
  const out: Parsed[] = [];
  parser.on('packet', (p) => {
    if (p.cmd !== 'publish') throw new Error(`expected only PUBLISH packets, got ${p.cmd}`);
    out.push({ cmd: p.cmd, topic: p.topic, payload: Buffer.from(p.payload), qos: p.qos, retain: p.retain });
  });
  parser.on('error', (err: Error) => {
    throw err;
  });
  parser.parse(bytes);
  return out;
}

describe('encodeQos0Publishes', () => {
  const messages = [
    {
      topic: Buffer.from('acme/plant1/agents/a/tags/plc1/temp'),
      payload: '{"value":20.5,"ts":"2026-03-02T08:00:00.000Z"}',
    },
    { topic: Buffer.from('acme/plant1/agents/a/tags/plc1/größe'), payload: '{"value":"Grüße ✓"}' },
    { topic: Buffer.from('t/long'), payload: 'x'.repeat(200) }, // 2 length bytes
    { topic: Buffer.from('t/longer'), payload: 'y'.repeat(20_000) }, // 3 length bytes
    { topic: Buffer.from('t/empty'), payload: '' },
  ];

  for (const protocolVersion of [4, 5]) {
    it(`writes packets mqtt.js reads back (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, () => {
      const parsed = parse(encodeQos0Publishes(messages, { retain: true, protocolVersion }), protocolVersion);
      expect(
        parsed.map((p) => ({
          cmd: p.cmd,
          qos: p.qos,
          retain: p.retain,
          topic: p.topic,
          payload: p.payload.toString('utf8'),
        })),
      ).toEqual(
        messages.map((m) => ({
          cmd: 'publish',
          qos: 0,
          retain: true,
          topic: m.topic.toString('utf8'),
          payload: m.payload,
        })),
      );
    });
  }

  it('clears the retain flag when asked, and takes four length bytes', () => {
    const huge = 'z'.repeat(2_100_000);
    const [p] = parse(
      encodeQos0Publishes([{ topic: Buffer.from('a'), payload: huge }], { retain: false, protocolVersion: 5 }),
      5,
    );
    expect(p?.retain).toBe(false);
    expect(p?.payload.length).toBe(huge.length);
  });

  it('refuses a topic MQTT cannot carry', () => {
    expect(() =>
      encodeQos0Publishes([{ topic: Buffer.alloc(70_000, 'a'), payload: '' }], { retain: true, protocolVersion: 4 }),
    ).toThrow(/65,535 bytes/);
  });
});
