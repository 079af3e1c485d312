/**
 * The live feed through `app.injectWS()`: a snapshot on connect, coalesced deltas after core
 * events, credentials and Origin checked before the upgrade, and the small-payload limit.
 */
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DashboardView, DeltaView } from '../../../src/server/view-model.js';
import {
  createHarness,
  ManualClock,
  OPERATOR_TOKEN,
  testConfig,
  VIEW_TOKEN,
  type Harness,
  type HarnessOptions,
} from './support/harness.js';

let h: Harness | undefined;
const sockets: WebSocket[] = [];
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await createHarness(options);
  return h;
}
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await h?.close();
  h = undefined;
});

interface Received {
  readonly ws: WebSocket;
  readonly snapshots: DashboardView[];
  readonly deltas: DeltaView[];
  readonly closed: Promise<number>;
}

/** Connects and records every message from the very first one (listeners attached before open). */
async function connect(app: Harness['app'], path = '/ws', headers: Record<string, string> = {}): Promise<Received> {
  const snapshots: DashboardView[] = [];
  const deltas: DeltaView[] = [];
  let resolveClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((r) => (resolveClosed = r));
  const ws = await app.injectWS(
    path,
    { headers },
    {
      onInit(socket) {
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string; data?: DashboardView } & DeltaView;
          if (message.type === 'snapshot' && message.data !== undefined) snapshots.push(message.data);
          else deltas.push(message);
        });
        socket.on('close', (code) => resolveClosed(code));
      },
    },
  );
  sockets.push(ws);
  return { ws, snapshots, deltas, closed };
}

describe('GET /ws', () => {
  it('sends the whole page on connect, then one coalesced delta per broadcast with what changed', async () => {
    const { app, fake } = await harness();
    const client = await connect(app);
    await vi.waitFor(() => expect(client.snapshots).toHaveLength(1));
    const snapshot = client.snapshots[0] as DashboardView;
    expect(snapshot.stations.map((s) => s.id)).toEqual(['press', 'weld', 'pack']);
    expect(snapshot.seq).toBe(0);

    const downtimeId = fake.breakdown('weld', { faultCode: 17, reason: 'hydraulic' });
    for (let i = 0; i < 20; i++) fake.cycle('press', 12_000 + i);
    app.lineside.flush();
    await vi.waitFor(() => expect(client.deltas).toHaveLength(1));
    const delta = client.deltas[0] as DeltaView;
    expect(delta.seq).toBe(1);
    expect(delta.stations?.find((s) => s.id === 'weld')).toMatchObject({
      state: 'down',
      reasonLabel: 'Hydraulic pressure low',
    });
    expect(delta.stations?.find((s) => s.id === 'press')?.counts.total).toBe(20);
    expect(delta.spans).toEqual([expect.objectContaining({ station: 'weld', state: 'down' })]);
    expect(delta.cycles).toEqual([expect.objectContaining({ station: 'press', count: 20 })]);
    expect(delta.downtime).toEqual([expect.objectContaining({ id: downtimeId, reason: 'hydraulic' })]);

    // Nothing new: no message at all.
    app.lineside.flush();
    fake.setState('weld', 'running');
    app.lineside.flush();
    await vi.waitFor(() => expect(client.deltas).toHaveLength(2));
    expect(client.deltas[1]?.seq).toBe(2);
  });

  it('sends a fresh snapshot when the page asks to resync', async () => {
    const clock = new ManualClock();
    const { app } = await harness({ clock });
    const client = await connect(app);
    await vi.waitFor(() => expect(client.snapshots).toHaveLength(1));
    // At most one resync per client every 2 s: a page stuck in a loop cannot make the Pi rebuild snapshots.
    client.ws.send(JSON.stringify({ type: 'resync' }));
    clock.advance(2_100);
    client.ws.send(JSON.stringify({ type: 'resync' }));
    client.ws.send(JSON.stringify({ type: 'resync' }));
    await vi.waitFor(() => expect(client.snapshots).toHaveLength(2));
    // A ping round trip proves the server has handled the later messages too.
    await new Promise<void>((resolve) => {
      client.ws.once('pong', () => resolve());
      client.ws.ping();
    });
    expect(client.snapshots).toHaveLength(2);
  });

  it('checks credentials before the upgrade: 401 without the view token, token in the query or the cookie accepted', async () => {
    const { app } = await harness({ config: testConfig({ viewToken: VIEW_TOKEN, operatorToken: OPERATOR_TOKEN }) });
    await expect(app.injectWS('/ws')).rejects.toThrow(/401/);
    await expect(app.injectWS('/ws?token=wrong')).rejects.toThrow(/401/);
    const byQuery = await connect(app, `/ws?token=${VIEW_TOKEN}`);
    await vi.waitFor(() => expect(byQuery.snapshots).toHaveLength(1));
    const bookmark = await app.inject(`/?token=${VIEW_TOKEN}`);
    const cookie = String(bookmark.headers['set-cookie']).split(';')[0] ?? '';
    const byCookie = await connect(app, '/ws', { cookie });
    await vi.waitFor(() => expect(byCookie.snapshots).toHaveLength(1));
  });

  it('refuses a page from another origin (403) and accepts its own and configured ones', async () => {
    const { app } = await harness({ config: testConfig({ allowedOrigins: ['https://scada.plant'] }) });
    await expect(app.injectWS('/ws', { headers: { origin: 'http://evil.example', host: 'pi:8080' } })).rejects.toThrow(
      /403/,
    );
    const same = await connect(app, '/ws', { origin: 'http://pi:8080', host: 'pi:8080' });
    await vi.waitFor(() => expect(same.snapshots).toHaveLength(1));
    const scada = await connect(app, '/ws', { origin: 'https://scada.plant', host: 'pi:8080' });
    await vi.waitFor(() => expect(scada.snapshots).toHaveLength(1));
  });

  it('refuses clients beyond the limit with 503', async () => {
    const { app } = await harness({ options: { maxClients: 2 } });
    await connect(app);
    await connect(app);
    await expect(app.injectWS('/ws')).rejects.toThrow(/503/);
  });

  it('closes a client that sends more than 64 KiB in one message (1009), others are unaffected', async () => {
    const { app, fake } = await harness();
    const abuser = await connect(app);
    const other = await connect(app);
    abuser.ws.send('x'.repeat(65 * 1024));
    expect(await abuser.closed).toBe(1009);
    fake.setState('press', 'down');
    app.lineside.flush();
    await vi.waitFor(() => expect(other.deltas).toHaveLength(1));
  });

  it('closes every client with 1001 (going away) when the agent stops, so pages reconnect', async () => {
    const { app } = await harness();
    const client = await connect(app);
    await vi.waitFor(() => expect(client.snapshots).toHaveLength(1));
    await h?.close();
    h = undefined;
    expect(await client.closed).toBe(1001);
  });
});
