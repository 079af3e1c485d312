/**
 * The Sparkplug B edge node against a real mosquitto (MQTT 5 and 3.1.1), read by a test host
 * that decodes with Eclipse Tahu's codec: birth order and seq, DDATA from core events, DDEATH
 * and DBIRTH on comms, rebirth on NCMD without a new session, NDEATH on a clean stop, bdSeq one
 * more after a restart. Test names carry the spec's tck-ids.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FanOut } from '../../../src/agent/fanout.js';
import type { CoreEvent } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { SparkplugNode } from '../../../src/outputs/sparkplug/edge-node.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { openTestSpool } from '../../helpers/test-spool.js';
import { testConfig } from '../mqtt/test-config.js';
import { decodePayload } from '../../../src/outputs/sparkplug/payload.js';
import { until } from '../../helpers/wait.js';
import { metric, startHost, testNode, type SparkplugReceived } from './host.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let n = 0;
function event(station: string, body: Record<string, unknown>): CoreEvent {
  n++;
  return { id: `${station}-${n}`, line: 'line1', station, seq: n, ts: Date.now(), ...body } as unknown as CoreEvent;
}

async function setUp(protocolVersion: 4 | 5, sparkplug: Record<string, unknown> = {}, persistentHost = false) {
  const data = createTempDir('sparkplug-broker');
  cleanups.push(() => removeTempDir(data));
  // A broker restart must not lose the host's subscription, nor what is sent before it is back.
  const broker = await startMosquitto(
    persistentHost
      ? {
          extraConf: `persistence true\npersistence_location ${data}/\nautosave_interval 1\nqueue_qos0_messages true\n`,
        }
      : {},
  );
  cleanups.push(() => broker.close());
  const host = await startHost(broker.url, persistentHost);
  cleanups.push(() => host.close());
  const dir = createTempDir('sparkplug');
  cleanups.push(() => removeTempDir(dir));
  const config = testConfig({
    agentId: 'line1-pi',
    baseDir: dir,
    mqtt: { url: broker.url, protocolVersion, sparkplug: { enabled: true, ...sparkplug } },
  });
  let spool = openTestSpool(dir, ['sparkplug']);
  // The agent's tee: the spool first, then the node's live listener.
  const events = new FanOut<CoreEvent>(silentLogger);
  events.add('spool', (e) => spool.appendEvent(e));
  let node: SparkplugNode | undefined;
  const start = async () => {
    node = testNode(config, dir, spool, events);
    await node.start();
  };
  const stop = async () => {
    await node?.stop();
    spool.close();
  };
  cleanups.push(async () => {
    await node?.stop();
    spool.close();
  });
  return {
    broker,
    host,
    get spool() {
      return spool;
    },
    get node() {
      return node;
    },
    start,
    restart: async () => {
      await stop();
      spool = openTestSpool(dir, ['sparkplug']);
      await start();
    },
    append: (e: CoreEvent) => events.emit(e),
  };
}

const seqOf = (m: SparkplugReceived) => m.payload.seq;

describe.each([5, 4] as const)('Sparkplug B edge node, MQTT %s', (protocolVersion) => {
  it('tck-id-principles-birth-certificates-order, tck-id-operational-behavior-data-publish-dbirth-order, tck-id-topics-nbirth-seq-num, tck-id-topics-dbirth-seq: NBIRTH then a DBIRTH per station, then DDATA, seq +1', async () => {
    const t = await setUp(protocolVersion);
    await t.start();
    await t.host.waitFor((m) => m.length >= 4, 'NBIRTH and three DBIRTHs');
    expect(t.host.messages.slice(0, 4).map((m) => [m.kind, m.device])).toEqual([
      ['NBIRTH', undefined],
      ['DBIRTH', 'press'],
      ['DBIRTH', 'weld'],
      ['DBIRTH', 'pack'],
    ]);
    expect(t.host.messages[0]?.topic).toBe('spBv1.0/plant1/NBIRTH/line1-pi');
    expect(t.host.messages.slice(0, 4).map(seqOf)).toEqual([0, 1, 2, 3]);
    // tck-id-payloads-nbirth-qos, tck-id-payloads-nbirth-retain: QoS 0, not retained.
    expect(t.host.messages[0]).toMatchObject({ qos: 0, retain: false });
    expect(metric(t.host.messages[0], 'bdSeq')).toBe(0);

    t.append(event('press', { type: 'state', state: 'down', previous: 'running', since: Date.now() }));
    t.append(event('weld', { type: 'cycle', cycleTimeMs: 9_500, good: true, shift: 'early' }));
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'DDATA').length >= 2, 'two DDATA');
    const ddata = t.host.of('DDATA');
    expect(ddata.map((m) => [m.device, seqOf(m)])).toEqual([
      ['press', 4],
      ['weld', 5],
    ]);
    expect(ddata[0]?.payload.metrics.every((m) => m.name === undefined && typeof m.alias === 'number')).toBe(true);
    expect(t.node?.status()).toMatchObject({ name: 'sparkplug', up: true, errors: 0 });
  });

  it('tck-id-operational-behavior-data-commands-rebirth-action-1/2/3: NCMD Rebirth gives NBIRTH and DBIRTHs again, same bdSeq, no NDEATH', async () => {
    const t = await setUp(protocolVersion);
    await t.start();
    await t.host.waitFor((m) => m.length >= 4, 'births');
    t.append(event('press', { type: 'state', state: 'down', previous: 'running', since: Date.now() }));
    await t.host.waitFor((m) => m.some((x) => x.kind === 'DDATA'), 'DDATA');
    await t.host.rebirth('plant1', 'line1-pi');
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'NBIRTH').length === 2, 'a second NBIRTH');
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'DBIRTH').length === 6, 'three more DBIRTHs');
    const births = t.host.of('NBIRTH');
    expect(births.map((b) => metric(b, 'bdSeq'))).toEqual([0, 0]);
    expect(seqOf(births[1] as SparkplugReceived)).toBe(0);
    expect(t.host.of('NDEATH')).toHaveLength(0);
    const pressBirth = t.host.of('DBIRTH').filter((m) => m.device === 'press')[1];
    expect(metric(pressBirth, 'State')).toBe('down'); // the births carry the current values
  });

  it('tck-id-operational-behavior-device-ddeath: DDEATH when a station loses comms, DBIRTH when it is back', async () => {
    const t = await setUp(protocolVersion);
    await t.start();
    await t.host.waitFor((m) => m.length >= 4, 'births');
    t.append(event('pack', { type: 'state', state: 'comms_lost', previous: 'running', since: Date.now() }));
    await t.host.waitFor((m) => m.some((x) => x.kind === 'DDEATH'), 'DDEATH');
    expect(t.host.of('DDEATH')[0]?.topic).toBe('spBv1.0/plant1/DDEATH/line1-pi/pack');
    t.append(event('pack', { type: 'state', state: 'running', previous: 'comms_lost', since: Date.now() }));
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'DBIRTH' && x.device === 'pack').length === 2, 'rebirth');
    const seqs = t.host.messages.map(seqOf);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it('tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath, tck-id-payloads-ndeath-bdseq: NDEATH on a clean stop; the next session has bdSeq + 1', async () => {
    const t = await setUp(protocolVersion);
    await t.start();
    await t.host.waitFor((m) => m.length >= 4, 'births');
    await t.restart();
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'NBIRTH').length === 2, 'the second session');
    const deaths = t.host.of('NDEATH');
    expect(deaths).toHaveLength(1);
    expect(metric(deaths[0], 'bdSeq')).toBe(0);
    expect(deaths[0]?.payload.seq).toBeUndefined();
    const kinds = t.host.messages.map((m) => m.kind);
    expect(kinds.indexOf('NDEATH')).toBeLessThan(kinds.lastIndexOf('NBIRTH'));
    expect(t.host.of('NBIRTH').map((b) => metric(b, 'bdSeq'))).toEqual([0, 1]);
  });

  it('tck-id-components-ph-state, tck-id-operational-behavior-edge-node-birth-sequence-wait, tck-id-operational-behavior-edge-node-termination-host-offline, tck-id-operational-behavior-edge-node-termination-host-offline-timestamp: births wait for the primary host; its offline ends the session, an older one does not', async () => {
    const t = await setUp(protocolVersion, { primaryHostId: 'scada' });
    const state = (online: boolean, timestamp: number) =>
      t.host.client.publishAsync('spBv1.0/STATE/scada', JSON.stringify({ online, timestamp }), {
        qos: 1,
        retain: true,
      });
    await state(false, 1_000);
    await t.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(t.host.of('NBIRTH')).toHaveLength(0); // the host is offline: no birth
    expect(t.node?.status().up).toBe(false);
    t.append(event('press', { type: 'state', state: 'down', previous: 'running', since: Date.now() }));
    await state(true, 2_000);
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'DBIRTH').length === 3, 'births once online');
    await t.host.waitFor((m) => m.some((x) => x.kind === 'DDATA'), 'the data that waited');
    expect(t.host.messages.filter((m) => m.kind !== 'STATE')[0]?.kind).toBe('NBIRTH');
    await state(false, 1_500); // older than the online: changes nothing
    await new Promise((r) => setTimeout(r, 300));
    expect(t.host.of('NDEATH')).toHaveLength(0);
    await state(false, 3_000);
    await t.host.waitFor((m) => m.some((x) => x.kind === 'NDEATH'), 'NDEATH after the host went offline');
    expect(metric(t.host.of('NDEATH')[0], 'bdSeq')).toBe(metric(t.host.of('NBIRTH')[0], 'bdSeq'));
    await new Promise((r) => setTimeout(r, 500));
    expect(t.host.of('NBIRTH')).toHaveLength(1); // reconnected, waiting for the host again
    await state(true, 4_000);
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'NBIRTH').length === 2, 'a new session');
    expect(t.host.of('NBIRTH').map((b) => metric(b, 'bdSeq'))).toEqual([0, 1]);
  });

  it('store and forward (is_historical, spec 6.4.7): what happened during a broker outage arrives after the births, is_historical, once each, in order; live data does not wait for it', async () => {
    const t = await setUp(protocolVersion, { historyRate: 50 }, true);
    await t.start();
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'DBIRTH').length === 3, 'births');
    await new Promise((r) => setTimeout(r, 1_500)); // the broker saved the host's session
    await t.broker.kill9();
    await until(() => t.node?.status().up === false, 'the node sees the outage');
    const stored: CoreEvent[] = [];
    for (let i = 0; i < 20; i++) {
      const e = event('press', { type: 'cycle', cycleTimeMs: 10_000 + i, good: true, shift: 'early' });
      stored.push(e);
      t.append(e);
    }
    t.append(event('weld', { type: 'state', state: 'down', previous: 'running', since: Date.now() }));
    await t.broker.start();
    await t.host.waitFor((m) => m.filter((x) => x.kind === 'NBIRTH').length === 2, 'the new session', 20_000);
    // Live, while the stored data drains at 50 a second: not held behind it.
    t.append(event('pack', { type: 'state', state: 'starved', previous: 'running', since: Date.now() }));
    await t.host.waitFor(
      (m) => m.filter((x) => x.kind === 'DDATA' && x.device === 'press').length >= 20,
      'the stored cycles',
      20_000,
    );
    const after = t.host.messages.slice(
      t.host.messages.findIndex((m) => m.kind === 'NBIRTH' && metric(m, 'bdSeq') === 1),
    );
    // The births carry what happened meanwhile.
    const weldBirth = after.find((m) => m.kind === 'DBIRTH' && m.device === 'weld');
    expect(metric(weldBirth, 'State')).toBe('down');
    expect(after.slice(0, 4).map((m) => m.kind)).toEqual(['NBIRTH', 'DBIRTH', 'DBIRTH', 'DBIRTH']);
    // Every stored cycle once, in order, each metric is_historical with the event's own time.
    const press = after.filter((m) => m.kind === 'DDATA' && m.device === 'press');
    const raw = press.map((m) => decodePayload(m.raw));
    expect(raw.map((p) => p.metrics.every((x) => x.isHistorical === true))).toEqual(press.map(() => true));
    const totals = raw.map((p) => p.metrics.find((x) => x.value !== undefined && typeof x.value === 'bigint'));
    expect(totals.map((x) => Number(x?.value))).toEqual(stored.map((_, i) => i + 1));
    expect(raw.map((p) => p.metrics[0]?.timestamp)).toEqual(stored.map((e) => e.ts));
    // The live state change went out before the stored data had drained, and not as history.
    const pack = after.findIndex((m) => m.kind === 'DDATA' && m.device === 'pack');
    const lastStored = after.lastIndexOf(press.at(-1) as SparkplugReceived);
    expect(pack).toBeGreaterThan(0);
    expect(pack).toBeLessThan(lastStored);
    expect(decodePayload(after[pack]?.raw ?? Buffer.alloc(0)).metrics.every((x) => x.isHistorical !== true)).toBe(true);
    const seqs = after.map(seqOf);
    expect(seqs).toEqual(seqs.map((_, i) => i % 256));
  });
});

describe('Sparkplug B edge node with a server list', () => {
  it('tck-id-operational-behavior-edge-node-termination-host-offline-reconnect, tck-id-operational-behavior-primary-application-state-with-multiple-servers-walk: walks to the server where the primary host is online, and on', async () => {
    const a = await startMosquitto();
    cleanups.push(() => a.close());
    const b = await startMosquitto();
    cleanups.push(() => b.close());
    const hostA = await startHost(a.url);
    cleanups.push(() => hostA.close());
    const hostB = await startHost(b.url);
    cleanups.push(() => hostB.close());
    const state = (host: typeof hostA, online: boolean, timestamp: number) =>
      host.client.publishAsync('spBv1.0/STATE/scada', JSON.stringify({ online, timestamp }), { qos: 1, retain: true });
    await state(hostA, false, 1_000);
    await state(hostB, true, 2_000);
    const dir = createTempDir('sparkplug-servers');
    cleanups.push(() => removeTempDir(dir));
    const config = testConfig({
      agentId: 'line1-pi',
      mqtt: {
        url: a.url,
        protocolVersion: 5,
        reconnectMin: '50ms',
        reconnectMax: '200ms',
        sparkplug: { enabled: true, primaryHostId: 'scada', servers: [a.url, b.url] },
      },
    });
    const spool = openTestSpool(dir, ['sparkplug']);
    cleanups.push(() => spool.close());
    const node = testNode(config, dir, spool);
    cleanups.push(() => node.stop());
    await node.start();
    await hostB.waitFor(
      (m) => m.filter((x) => x.kind === 'DBIRTH').length === 3,
      'births on B, where the host is online',
    );
    expect(hostA.of('NBIRTH')).toHaveLength(0);
    // The host moves to A: online there, offline on B. The node follows, leaving an NDEATH on B.
    await state(hostA, true, 3_000);
    await state(hostB, false, 3_000);
    await hostB.waitFor((m) => m.some((x) => x.kind === 'NDEATH'), 'NDEATH on B');
    await hostA.waitFor((m) => m.filter((x) => x.kind === 'DBIRTH').length === 3, 'births on A');
    const bd = (m: SparkplugReceived | undefined) => Number(metric(m, 'bdSeq'));
    expect(bd(hostB.of('NDEATH')[0])).toBe(bd(hostB.of('NBIRTH')[0]));
    expect(bd(hostA.of('NBIRTH')[0])).toBeGreaterThan(bd(hostB.of('NBIRTH')[0]));
  });
});
