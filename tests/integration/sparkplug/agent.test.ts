/**
 * A Sparkplug-only agent (mqtt.json false) on its embedded broker: the core's events and a station's
 * condition signal become DDATA, nothing is published on the JSON namespace, the spool keeps rows for the edge node only, and
 * /metrics' outputs list "sparkplug".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../../src/agent/agent.js';
import { loadConfigText } from '../../../src/config/load.js';
import type { CoreEvent } from '../../../src/core/events.js';
import type { SampleSink } from '../../../src/core/sample.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { decodePayload } from '../../../src/outputs/sparkplug/payload.js';
import type { SourceFactory } from '../../../src/sources/source.js';
import { freePort } from '../../helpers/ports.js';
import { until } from '../../helpers/wait.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a Sparkplug-only agent', () => {
  it('publishes the line, and its condition signals, as Sparkplug B and nothing on the JSON namespace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-spb-agent-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const loaded = loadConfigText(
      `
site: { enterprise: acme, site: plant1 }
agent: { id: line1-pi }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: partCount, address: 0, type: uint32 }
      - { name: vibration, address: 2, type: float32, unit: mm/s }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 10s
        signals: { cycleCounter: plc1.partCount }
        conditions: [{ tag: plc1.vibration, kind: vibration, warning: 4.5, alarm: 7.1 }]
mqtt:
  embedded: { port: ${port} }
  json: false
  sparkplug: { enabled: true }
server: { enabled: false }
storage: { dir: ${JSON.stringify(dir)}, commitInterval: 20ms }
`,
      { env: {} },
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    // A source that reads the vibration tag once the test says so.
    let sink: SampleSink | undefined;
    const source: SourceFactory = {
      name: 'test-vibration',
      enabled: () => true,
      create: () => ({
        name: 'test-vibration',
        start: async (s) => {
          sink = s;
        },
        stop: async () => undefined,
        health: () => [],
      }),
    };
    const agent = createAgent({ config: loaded.config, logger: silentLogger, sources: [source] });
    cleanups.push(() => agent.stop());
    await agent.start();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => client.endAsync(true));
    const topics: string[] = [];
    const payloads: Buffer[] = [];
    client.on('message', (topic, payload) => {
      topics.push(topic);
      if (topic === 'spBv1.0/plant1/DDATA/line1-pi/press') payloads.push(payload);
    });
    await client.subscribeAsync('#');
    await client.publishAsync('spBv1.0/plant1/NCMD/line1-pi', Buffer.alloc(0)); // not a payload: ignored
    const down = {
      id: 'press-000000001',
      line: 'line1',
      station: 'press',
      seq: 1,
      ts: Date.now(),
      type: 'state',
      state: 'down',
      previous: 'running',
      since: Date.now(),
    } as CoreEvent;
    agent.events.emit(down);
    await until(() => topics.includes('spBv1.0/plant1/DDATA/line1-pi/press'), 'DDATA of press');
    // A condition sample: a DDATA with the vibration metric's alias (the DBIRTH named it).
    const before = payloads.length;
    sink?.sample({ tag: 'plc1.vibration', value: 3.75, ts: Date.now(), mono: performance.now() });
    await until(() => payloads.length > before, 'the vibration DDATA');
    const metrics = payloads.slice(before).flatMap((p) => decodePayload(p).metrics);
    expect(metrics).toContainEqual(expect.objectContaining({ value: 3.75 }));
    // The spool keeps samples for the edge node (store and forward of condition values).
    await until(() => agent.spool.ackedId('sparkplug') === agent.spool.lastCommittedId(), 'samples released too');
    expect(topics.filter((t) => !t.startsWith('spBv1.0/'))).toEqual([]);
    expect(agent.outputs.map((o) => o.name)).toEqual(['sparkplug']);
    await until(() => agent.spool.ackedId('sparkplug') === agent.spool.lastCommittedId(), 'released');
  });
});
