/**
 * The store-and-forward drill with real processes: the broker dies (kill -9), the agent keeps
 * producing, is itself killed -9 during the outage and started again, then the broker comes back.
 * Every event committed during the outage reaches the host once, as is_historical DDATA with its
 * own time, after the births, in order; nothing from before the outage comes again; the new
 * session's bdSeq is the previous one + 1 (tck-id-payloads-nbirth-bdseq-repeat).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePayload } from '../../../src/outputs/sparkplug/payload.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { PublisherAgent } from '../../helpers/publisher-process.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { metric, startHost } from './host.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const OUTAGE_MS = Number(process.env.LINESIDE_SPB_OUTAGE_MS ?? 4_000);

describe('Sparkplug B store and forward under kill -9', () => {
  it('delivers what was committed during a broker outage once, historical, in order, across an agent kill -9', async () => {
    const data = createTempDir('spb-broker');
    cleanups.push(() => removeTempDir(data));
    const broker = await startMosquitto({
      extraConf: `persistence true\npersistence_location ${data}/\nautosave_interval 1\nqueue_qos0_messages true\nmax_queued_messages 0\n`,
    });
    cleanups.push(() => broker.close());
    const host = await startHost(broker.url, true);
    cleanups.push(() => host.close());
    const dir = createTempDir('spb-agent');
    cleanups.push(() => removeTempDir(dir));
    const agent = new PublisherAgent({
      dir,
      brokerUrl: broker.url,
      agentId: 'line1-pi',
      sparkplug: true,
      eventIntervalMs: 40,
      samplesPerTick: 0,
      commitIntervalMs: 100,
    });
    cleanups.push(() => agent.close());

    await agent.start();
    await host.waitFor((m) => m.filter((x) => x.kind === 'DDATA').length >= 10, 'live data');
    await sleep(1_500); // the broker has saved the host's session
    const outageStart = Date.now();
    await broker.kill9();
    await sleep(OUTAGE_MS / 2);
    await agent.kill9();
    await agent.start(); // the broker is still down
    await sleep(OUTAGE_MS / 2);
    const outageEnd = Date.now();
    await broker.start();
    await host.waitFor((m) => m.filter((x) => x.kind === 'NBIRTH').length === 2, 'the new session', 30_000);
    const during = agent.committed.filter((e) => e.ts >= outageStart && e.ts < outageEnd);
    expect(during.length).toBeGreaterThan(20);
    await host.waitFor(
      (m) =>
        m.filter((x) => x.kind === 'DDATA' && decodePayload(x.raw).metrics[0]?.isHistorical === true).length >=
        during.length,
      `${during.length} stored events`,
      30_000,
    );
    await sleep(500);

    const births = host.of('NBIRTH');
    expect(births.map((b) => metric(b, 'bdSeq'))).toEqual([0, 1]);
    const secondBirth = host.messages.indexOf(births[1] ?? births[0]!);
    const historical = host.messages.filter(
      (m) => m.kind === 'DDATA' && decodePayload(m.raw).metrics.some((x) => x.isHistorical === true),
    );
    // After the births, every metric historical, one per stored event, in order, with its time.
    expect(historical.every((m) => host.messages.indexOf(m) > secondBirth)).toBe(true);
    expect(historical.every((m) => decodePayload(m.raw).metrics.every((x) => x.isHistorical === true))).toBe(true);
    const key = (station: string | undefined, ts: unknown) => `${station}@${String(ts)}`;
    const got = historical.map((m) => key(m.device, decodePayload(m.raw).metrics[0]?.timestamp));
    expect(new Set(got).size).toBe(got.length); // once each
    for (const e of during) expect(got).toContain(key(e.station, e.ts)); // every stored event
    const committedOrder = agent.committed.map((e) => key(e.station, e.ts));
    const positions = got.map((k) => committedOrder.indexOf(k));
    expect(positions.every((p) => p >= 0)).toBe(true); // only events that were committed
    expect(positions).toEqual([...positions].sort((a, b) => a - b)); // in order
    // Nothing the host got live before the outage comes again as history.
    console.log(
      `[sparkplug drill] outage ${(outageEnd - outageStart) / 1000} s with an agent kill -9 in it: ${during.length} events committed meanwhile, ${got.length} historical DDATA, each once, in order; bdSeq 0 -> 1`,
    );
    const earliest = Math.min(...historical.map((m) => Number(decodePayload(m.raw).metrics[0]?.timestamp)));
    expect(earliest).toBeGreaterThanOrEqual(outageStart - 200);
  }, 120_000);
});
