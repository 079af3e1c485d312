/**
 * What the edge node tells the broker, inspected in an in-process aedes: the CONNECT (Will =
 * NDEATH, QoS 1, not retained, bdSeq only; a clean session), SUBSCRIBE to NCMD/DCMD at QoS 1
 * before the NBIRTH, and, when the connection dies without a DISCONNECT, the Will the broker
 * publishes matching the NBIRTH's bdSeq, then a new session with bdSeq + 1.
 */
import net from 'node:net';
import { Aedes, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { openTestSpool } from '../../helpers/test-spool.js';
import { until } from '../../helpers/wait.js';
import { decodeWithTahu } from '../../unit/sparkplug/tahu.js';
import { testNode } from './host.js';
import { testConfig } from '../mqtt/test-config.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Seen =
  | { what: 'connect'; packet: ConnectPacket; client: Client }
  | { what: 'subscribe'; subscriptions: Subscription[] }
  | { what: 'publish'; packet: PublishPacket };

async function inspectingBroker(): Promise<{ url: string; seen: Seen[]; clients: () => Client[] }> {
  const seen: Seen[] = [];
  const clients: Client[] = [];
  const broker = await Aedes.createBroker({
    preConnect: (client, packet, callback) => {
      seen.push({ what: 'connect', packet: packet as ConnectPacket, client });
      callback(null, true);
    },
  });
  broker.on('client', (c) => clients.push(c));
  broker.on('subscribe', (subscriptions, client) => {
    if (client) seen.push({ what: 'subscribe', subscriptions });
  });
  broker.on('publish', (packet) => {
    if (packet.topic.startsWith('spBv1.0/')) seen.push({ what: 'publish', packet });
  });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  return { url: `mqtt://127.0.0.1:${port}`, seen, clients: () => clients.filter((c) => c.connected) };
}

const publishes = (seen: Seen[]) =>
  seen.flatMap((s) => (s.what === 'publish' ? [s.packet] : [])).map((p) => ({ p, kind: p.topic.split('/')[2] }));

describe('the edge node as the broker sees it', () => {
  it('tck-id-principles-birth-certificates-order, tck-id-principles-persistence-clean-session-311, tck-id-message-flow-edge-node-birth-publish-will-message-topic, tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq, tck-id-topics-ndeath-payload, tck-id-payloads-ndeath-will-message-qos, tck-id-payloads-ndeath-will-message-retain: Will, clean session, subscriptions, then births; a dead connection publishes the Will with the NBIRTH bdSeq', async () => {
    const { url, seen, clients } = await inspectingBroker();
    const dir = createTempDir('sparkplug-connect');
    cleanups.push(() => removeTempDir(dir));
    const config = testConfig({ agentId: 'line1-pi', mqtt: { url, protocolVersion: 4, sparkplug: { enabled: true } } });
    const spool = openTestSpool(dir, ['sparkplug']);
    cleanups.push(() => spool.close());
    const node = testNode(config, dir, spool);
    cleanups.push(() => node.stop());
    await node.start();
    await until(() => publishes(seen).filter((x) => x.kind === 'DBIRTH').length === 3, 'births');

    const connect = seen.find((s) => s.what === 'connect');
    if (connect?.what !== 'connect') throw new Error('no CONNECT seen');
    expect(connect.packet.clean).toBe(true);
    expect(connect.packet.clientId).toBe('lineside-line1-pi-sparkplug');
    const will = connect.packet.will;
    expect(will).toMatchObject({ topic: 'spBv1.0/plant1/NDEATH/line1-pi', qos: 1, retain: false });
    const willPayload = decodeWithTahu(will?.payload as Buffer);
    expect(willPayload.metrics.map((m) => [m.name, m.type])).toEqual([['bdSeq', 'Int64']]);
    expect(willPayload.seq).toBeUndefined();

    // tck-id-message-flow-edge-node-ncmd-subscribe, tck-id-message-flow-device-dcmd-subscribe: NCMD and DCMD at QoS 1, before the NBIRTH.
    const order = seen.map((s) => (s.what === 'publish' ? s.packet.topic.split('/')[2] : s.what));
    const subscribe = seen.find((s) => s.what === 'subscribe');
    if (subscribe?.what !== 'subscribe') throw new Error('no SUBSCRIBE seen');
    expect(subscribe.subscriptions.map((s) => [s.topic, s.qos])).toEqual([
      ['spBv1.0/plant1/NCMD/line1-pi', 1],
      ['spBv1.0/plant1/DCMD/line1-pi/+', 1],
    ]);
    expect(order.indexOf('subscribe')).toBeLessThan(order.indexOf('NBIRTH'));
    const nbirth = publishes(seen).find((x) => x.kind === 'NBIRTH')?.p;
    const birthBdSeq = decodeWithTahu(nbirth?.payload as Buffer).metrics.find((m) => m.name === 'bdSeq')?.value;
    expect(birthBdSeq).toBe(willPayload.metrics[0]?.value);

    // The connection dies without a DISCONNECT (a cable pulled): the broker publishes the Will.
    for (const c of clients()) if (c.id === 'lineside-line1-pi-sparkplug') c.conn.destroy();
    await until(() => publishes(seen).some((x) => x.kind === 'NDEATH'), 'the Will');
    const death = publishes(seen).find((x) => x.kind === 'NDEATH')?.p;
    expect(decodeWithTahu(death?.payload as Buffer).metrics[0]?.value).toBe(birthBdSeq);
    // A new session: a new CONNECT whose Will and NBIRTH carry bdSeq + 1.
    await until(() => publishes(seen).filter((x) => x.kind === 'NBIRTH').length === 2, 'the next session');
    const connects = seen.filter((s) => s.what === 'connect');
    const secondWill = connects[1]?.what === 'connect' ? connects[1].packet.will?.payload : undefined;
    expect(decodeWithTahu(secondWill as Buffer).metrics[0]?.value).toBe(Number(birthBdSeq) + 1);
    const second = publishes(seen).filter((x) => x.kind === 'NBIRTH')[1]?.p;
    expect(decodeWithTahu(second?.payload as Buffer).metrics.find((m) => m.name === 'bdSeq')?.value).toBe(
      Number(birthBdSeq) + 1,
    );
  });
});
