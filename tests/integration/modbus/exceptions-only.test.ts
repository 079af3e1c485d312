/**
 * A PLC that is on the wire but answers every read with an exception (4 server device failure,
 * 6 busy, ...) delivers nothing: after `exceptionGrace` polls (default 3) without data it is down
 * (comms ok=false to the core, so its stations go comms_lost), health and /readyz say so with the
 * exception code, and the first poll with data brings it back. Real loopback sockets against the
 * byte-level fault server; counts are polls and requests (the poller's own counters and the
 * server's request log, read at the moment the source reports the change), never wall time.
 *
 * With one coalesced read per poll and exception 4 (never retried), request k is poll k: the
 * fault server decides by request number, so the poll at which the fault starts is exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommsChange } from '../../../src/core/sample.js';
import { systemClock } from '../../../src/lib/clock.js';
import type { Logger } from '../../../src/lib/logger.js';
import type { ServerContext } from '../../../src/server/context.js';
import { readiness } from '../../../src/server/routes-ops.js';
import type { ModbusDeviceHealth } from '../../../src/sources/modbus/health.js';
import { createModbusSource, type ModbusSource } from '../../../src/sources/modbus/source.js';
import { startFaultServer, type FaultServer } from '../../helpers/modbus-fault-server.js';
import { captureLogs, device, plc, RecordingSink, testLogger, waitFor } from './support.js';

let server: FaultServer | undefined;
let source: ModbusSource | undefined;

afterEach(async () => {
  await source?.stop();
  await server?.stop();
  source = undefined;
  server = undefined;
});

/** What the poller and the server had done when the source reported a comms change. */
interface ChangeAt {
  readonly change: CommsChange;
  readonly health: ModbusDeviceHealth;
  /** Requests the server had received by then. */
  readonly requests: number;
}

/** Records every comms change together with the poll and request counts at that moment. */
class CountingSink extends RecordingSink {
  readonly changes: ChangeAt[] = [];
  /** Samples with the number of polls completed before the poll that delivered them. */
  readonly sampleAt: { tag: string; value: unknown; pollsBefore: number }[] = [];
  onChange: ((at: ChangeAt) => void) | undefined;

  override comms(change: CommsChange): void {
    super.comms(change);
    // Delivered synchronously from inside the poll cycle: the counters are those of that poll.
    const at = { change, health: healthOf(), requests: server?.requests.length ?? 0 };
    this.changes.push(at);
    this.onChange?.(at);
  }

  override sample(sample: Parameters<RecordingSink['sample']>[0]): void {
    super.sample(sample);
    this.sampleAt.push({ tag: sample.tag, value: sample.value, pollsBefore: healthOf().polls });
  }
}

async function run(
  devices: Record<string, unknown>[],
  options: { logger?: Logger; configErrorRetryMs?: number } = {},
): Promise<CountingSink> {
  const sink = new CountingSink();
  source = createModbusSource(
    { devices: devices.map(device) },
    {
      clock: systemClock,
      logger: options.logger ?? testLogger,
      ...(options.configErrorRetryMs !== undefined ? { configErrorRetryMs: options.configErrorRetryMs } : {}),
    },
  );
  await source.start(sink);
  return sink;
}

function healthOf(id = 'plc1'): ModbusDeviceHealth {
  const h = source?.health().find((d) => d.device === id);
  if (h === undefined) throw new Error(`no health for ${id}`);
  return h;
}

/** /readyz's verdict over the source's real health (the server's own function, health port only). */
function readyz() {
  const ctx = {
    deps: { health: { sources: () => source?.health() ?? [] }, history: { health: () => ({ writable: true }) } },
  } as unknown as ServerContext;
  return readiness(ctx);
}

describe('a device that answers only exceptions', () => {
  it.each([
    { grace: undefined, polls: 3 },
    { grace: 1, polls: 1 },
    { grace: 5, polls: 5 },
  ])(
    'exception 4 forever: down on exception poll $polls (exceptionGrace $grace), health and /readyz name it, back on the first poll with data',
    async ({ grace, polls }) => {
      const GOOD = 4; // requests (= polls) answered before the PLC fails
      server = await startFaultServer();
      server.setRegisters('holding', 0, [7, 0x42f6, 0xe979]);
      let answerFrom = Number.POSITIVE_INFINITY; // request number from which it answers again
      server.behave(() => {
        const n = server!.requests.length; // this request's number, 1-based
        return n > GOOD && n < answerFrom ? { kind: 'exception', code: 4 } : undefined;
      });
      const { logger, lines } = captureLogs();
      const sink = await run([plc(server.port, grace !== undefined ? { exceptionGrace: grace } : {})], { logger });
      // After the loss, two more exception polls, then data from the first request of the next poll.
      sink.onChange = (at) => {
        if (!at.change.ok) answerFrom = at.requests + 3;
      };

      await waitFor(() => sink.commsOf('plc1').includes(false), 10_000, 'comms lost');
      const lost = sink.changes.find((c) => !c.change.ok)!;
      // Exactly `polls` polls answered only with exceptions: not one more, not one less.
      expect(lost.health.polls).toBe(GOOD + polls);
      expect(lost.requests).toBe(GOOD + polls);
      expect(lost.health.exceptionOnlyPolls).toBe(polls);
      expect(lost.change.error).toMatch(
        /^MODBUS_EXCEPTION plc1 tcp:\/\/127\.0\.0\.1:\d+ unit 1: read holding 0\.\.2 answered exception 4 \(server device failure\)/,
      );
      // Connected, on the wire, but not up: what /readyz and lineside_device_up read is `connected`.
      expect(lost.health).toMatchObject({
        up: false,
        linkConnected: true,
        connected: false,
        lastErrorCode: 'MODBUS_EXCEPTION',
        exceptionFault: { exceptionCode: 4, read: 'read holding 0..2' },
        consecutiveFailures: 0,
      });
      const ready = readyz();
      expect(ready.ready).toBe(false);
      const sources = ready.checks.find((c) => c.name === 'sources');
      expect(sources?.ok).toBe(false);
      expect(sources?.detail).toMatch(
        /^plc1 \(tcp:\/\/127\.0\.0\.1:\d+ unit 1\) not connected: MODBUS_EXCEPTION .*read holding 0\.\.2 answered exception 4 \(server device failure\)/,
      );

      // Recovery on the first poll with data: comms restored, every value emitted again.
      await waitFor(
        () => sink.commsOf('plc1').at(-1) === true && sink.commsOf('plc1').length === 3,
        10_000,
        'comms restored',
      );
      const back = sink.changes.at(-1)!;
      expect(back.requests).toBe(answerFrom);
      expect(back.health.polls).toBe(answerFrom);
      expect(back.health).toMatchObject({ up: true, connected: true, exceptionOnlyPolls: 0 });
      expect(back.health.exceptionFault).toBeUndefined();
      expect(sink.commsOf('plc1')).toEqual([true, false, true]);
      expect(sink.valuesOf('plc1.count')).toEqual([7, 7]);
      expect(sink.valuesOf('plc1.speed')).toEqual([123.456, 123.456]);
      expect(readyz().ready).toBe(true);

      // One warning when it went down, one info line when it came back: device, unit, endpoint,
      // request and code, never a line per poll.
      const modbus = lines.filter((l) => l.msg.includes('comms'));
      expect(modbus.map((l) => l.msg)).toEqual([
        `modbus: device answered only with exception 4 (server device failure) for ${polls} polls; comms lost`,
        `modbus: device answering with data again after ${polls + 2} polls without data; comms restored`,
      ]);
      expect(modbus[0]).toMatchObject({
        level: 40,
        device: 'plc1',
        unitId: 1,
        reads: ['read holding 0..2: exception 4'],
        exceptionCodes: [4],
        polls,
      });
      expect(modbus[0]?.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(modbus[1]).toMatchObject({
        level: 30,
        device: 'plc1',
        unitId: 1,
        read: 'read holding 0..2',
        exceptionCode: 4,
        pollsWithoutData: polls + 2,
      });
    },
  );

  it('exception 6 forever: each request is retried twice (3 requests a poll, bounded), then down after the grace; back when it answers', async () => {
    const GOOD = 2;
    server = await startFaultServer();
    server.setRegisters('holding', 0, [7, 0, 0]);
    let answerFrom = Number.POSITIVE_INFINITY;
    server.behave(() => {
      const n = server!.requests.length;
      return n > GOOD && n < answerFrom ? { kind: 'exception', code: 6 } : undefined;
    });
    // 300 ms polls: the two retry pauses (300 / 8 = 37 ms each) are far inside the poll budget.
    const sink = await run([plc(server.port, { pollInterval: '300ms' })]);
    // Two more busy polls (3 requests each) after the loss, then the first request of the next poll is answered.
    sink.onChange = (at) => {
      if (!at.change.ok) answerFrom = at.requests + 2 * 3 + 1;
    };

    await waitFor(() => sink.commsOf('plc1').includes(false), 10_000, 'comms lost');
    const lost = sink.changes.find((c) => !c.change.ok)!;
    expect(lost.health.polls).toBe(GOOD + 3);
    expect(lost.requests).toBe(GOOD + 3 * 3);
    // Every request of those polls was the same read: first try and two retries.
    expect(
      server.requests.slice(GOOD, GOOD + 9).every((r) => r.area === 'holding' && r.start === 0 && r.count === 3),
    ).toBe(true);
    expect(lost.health.errors).toBe(9);
    expect(lost.health.exceptionFault).toMatchObject({ exceptionCode: 6, read: 'read holding 0..2' });
    expect(lost.change.error).toMatch(/answered exception 6 \(server device busy\)/);
    expect(readyz().checks.find((c) => c.name === 'sources')?.detail).toMatch(
      /^plc1 .*exception 6 \(server device busy\)/,
    );

    await waitFor(() => sink.commsOf('plc1').length === 3, 10_000, 'comms restored');
    const back = sink.changes.at(-1)!;
    expect(back.change.ok).toBe(true);
    expect(back.health.polls).toBe(GOOD + 3 + 2 + 1);
    expect(back.requests).toBe(answerFrom);
    expect(sink.valuesOf('plc1.count')).toEqual([7, 7]);
  });

  it('one busy answer: retried within the same poll, the new value arrives in that poll, comms never lost', async () => {
    server = await startFaultServer();
    server.setRegisters('holding', 0, [7, 0, 0]);
    server.behave(() => {
      if (server!.requests.length !== 3) return undefined;
      server!.setRegisters('holding', 0, [8]); // what the retry will read
      return { kind: 'exception', code: 6 };
    });
    const sink = await run([plc(server.port)]);
    await waitFor(() => healthOf().polls >= 8, 10_000, '8 polls');
    // Poll 3 sent the busy request and its retry; the value came from the retry.
    expect(server.requests.slice(2, 4).map((r) => [r.start, r.count])).toEqual([
      [0, 3],
      [0, 3],
    ]);
    expect(sink.sampleAt.filter((s) => s.tag === 'plc1.count')).toEqual([
      { tag: 'plc1.count', value: 7, pollsBefore: 0 },
      { tag: 'plc1.count', value: 8, pollsBefore: 2 },
    ]);
    expect(sink.commsOf('plc1')).toEqual([true]);
    expect(healthOf()).toMatchObject({
      up: true,
      connected: true,
      errors: 1,
      exceptionOnlyPolls: 0,
      consecutiveFailures: 0,
    });
  });

  it('some reads answered, one read refused with exception 4 forever: the device is up and its good tags flow', async () => {
    server = await startFaultServer();
    server.setRegisters('holding', 0, [1]);
    server.setRegisters('holding', 200, [2]);
    let served = 0;
    server.behave((req) => {
      if (req.start === 200) return { kind: 'exception', code: 4 };
      server!.setRegisters('holding', 0, [++served]); // a new value every poll
      return undefined;
    });
    const sink = await run([
      plc(server.port, {
        tags: [
          { name: 'good', address: 0 },
          { name: 'failing', address: 200 },
        ],
      }),
    ]);
    await waitFor(() => healthOf().polls >= 10, 10_000, '10 polls');
    expect(server.requests.filter((r) => r.start === 200).length).toBeGreaterThanOrEqual(10);
    expect(sink.valuesOf('plc1.good').length).toBeGreaterThanOrEqual(9);
    expect(sink.valuesOf('plc1.failing')).toEqual([]);
    expect(sink.commsOf('plc1')).toEqual([true]);
    expect(healthOf()).toMatchObject({
      up: true,
      connected: true,
      exceptionOnlyPolls: 0,
      lastErrorCode: 'MODBUS_EXCEPTION',
    });
    expect(healthOf().exceptionFault).toBeUndefined();
    expect(readyz().ready).toBe(true);
  });

  it('every address refused (exception 2, all tags misconfigured): down after the grace like any other exception', async () => {
    server = await startFaultServer({ strictAddresses: true });
    // configErrorRetryMs 0: the refused request is asked again every poll (normally once a minute).
    const sink = await run([plc(server.port, { tags: [{ name: 'ghost', address: 3 }] })], { configErrorRetryMs: 0 });
    await waitFor(() => sink.commsOf('plc1').includes(false), 10_000, 'comms lost');
    const lost = sink.changes[0]!;
    expect(lost.change.ok).toBe(false);
    expect(lost.health.polls).toBe(3);
    expect(lost.requests).toBe(3);
    expect(lost.health.exceptionFault).toMatchObject({ exceptionCode: 2, read: 'read holding 3..3' });
    expect(lost.health.configErrors).toHaveLength(1);
  });

  it('a coalesced read refused with exception 2 and split never counts against the grace, even exceptionGrace 1', async () => {
    server = await startFaultServer({ strictAddresses: true });
    server.setRegisters('holding', 0, [5, 6]); // register 3 does not exist
    const sink = await run(
      [
        plc(server.port, {
          exceptionGrace: 1,
          tags: [
            { name: 'a', address: 0 },
            { name: 'b', address: 1 },
            { name: 'ghost', address: 3 },
          ],
        }),
      ],
      { configErrorRetryMs: 60_000 },
    );
    await waitFor(() => healthOf().polls >= 6, 10_000, '6 polls');
    expect(sink.commsOf('plc1')).toEqual([true]);
    expect(sink.last('plc1.a')).toBe(5);
  });
});
