/**
 * Fault injection over real loopback sockets against a server we control byte by byte: what a
 * PLC, a gateway or a flaky network actually does. In every case the poller must report the
 * fault with its code, keep going, and never deliver a wrong value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createModbusSource, type ModbusSource } from '../../../src/sources/modbus/source.js';
import { startFaultServer, type FaultServer } from '../../helpers/modbus-fault-server.js';
import { device, plc, RecordingSink, sleep, testLogger, waitFor } from './support.js';

let server: FaultServer | undefined;
let source: ModbusSource | undefined;

afterEach(async () => {
  await source?.stop();
  await server?.stop();
  source = undefined;
  server = undefined;
});

async function run(devices: Record<string, unknown>[], configErrorRetryMs?: number): Promise<RecordingSink> {
  const sink = new RecordingSink();
  source = createModbusSource(
    { devices: devices.map(device) },
    { clock: systemClock, logger: testLogger, ...(configErrorRetryMs !== undefined ? { configErrorRetryMs } : {}) },
  );
  await source.start(sink);
  return sink;
}

function healthOf(id = 'plc1') {
  const h = source?.health().find((d) => d.device === id);
  if (h === undefined) throw new Error(`no health for ${id}`);
  return h;
}

describe('connection faults', () => {
  it.each(['close', 'reset'] as const)(
    'server %ss the socket mid-request: reported as MODBUS_CLOSED at once, polling resumes on a new connection',
    async (kind) => {
      server = await startFaultServer();
      server.setRegisters('holding', 0, [7, 0x42f6, 0xe979]);
      let n = 0;
      server.behave(() => (++n === 3 ? { kind } : undefined));
      const sink = await run([plc(server.port)]);
      await waitFor(() => server!.requests.length > 10, 10_000, 'polling after the close');
      const h = healthOf();
      expect(h.errors).toBe(1);
      expect(h.lastErrorCode).toBe('MODBUS_CLOSED');
      expect(server.connections).toBe(2);
      expect(sink.valuesOf('plc1.count')).toContain(7);
      expect(sink.last('plc1.speed')).toBe(123.456);
      // One dropped poll is tolerated: comms never went lost for a single close.
      expect(sink.commsOf('plc1')).toEqual([true]);
    },
  );

  it('a late answer times out, the connection is discarded and the late reply is never taken as data', async () => {
    server = await startFaultServer();
    server.setRegisters('holding', 0, [111, 0, 0]);
    let n = 0;
    let lateConnection = 0;
    server.behave((req) => {
      if (++n !== 4) return undefined;
      lateConnection = req.connection;
      // The reply to this request carries a poison value and arrives after the 150 ms timeout.
      server!.setRegisters('holding', 0, [666]);
      setImmediate(() => server!.setRegisters('holding', 0, [222]));
      return { kind: 'delay', ms: 400 };
    });
    const sink = await run([plc(server.port)]);
    await waitFor(
      () => sink.valuesOf('plc1.count').includes(222) && server!.requests.length > 10,
      10_000,
      'value after the timeout',
    );
    await sleep(500); // the late reply has certainly arrived by now
    expect(sink.valuesOf('plc1.count')).not.toContain(666);
    const afterTimeout = server.requests.slice(4);
    expect(afterTimeout.length).toBeGreaterThan(0);
    expect(afterTimeout.every((r) => r.connection > lateConnection)).toBe(true);
    expect(healthOf().errors).toBeGreaterThanOrEqual(1);
  });

  it('garbage bytes never become values and never stop the poller', async () => {
    server = await startFaultServer();
    server.setRegisters('holding', 0, [42, 0x42f6, 0xe979]);
    const garbage = [
      Buffer.from('this is not modbus at all\r\n'),
      // A well-formed MBAP header with an absurd length: the client must give up by timeout.
      Buffer.from([0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0x01, 0x03]),
      // Right framing, wrong function code.
      Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x01, 0x04, 0x02, 0x00, 0x09]),
      // Right function, byte count that disagrees with the request.
      Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x01, 0x03, 0x02, 0x00, 0x09]),
    ];
    let n = 0;
    server.behave((req) => {
      n++;
      const bytes = garbage[(n - 1) % 8];
      if (bytes === undefined) return undefined;
      // Garbage frames echo the request's transaction id where they have one, to look plausible.
      const copy = Buffer.from(bytes);
      if (copy.length >= 2 && bytes !== garbage[0]) copy.writeUInt16BE(req.transactionId, 0);
      return { kind: 'garbage', bytes: copy };
    });
    const sink = await run([plc(server.port)]);
    await waitFor(() => n >= 20, 20_000, '20 requests through the garbage');
    expect(new Set(sink.valuesOf('plc1.count'))).toEqual(new Set([42]));
    expect(new Set(sink.valuesOf('plc1.speed'))).toEqual(new Set([123.456]));
    const h = healthOf();
    expect(h.errors).toBeGreaterThanOrEqual(4);
    expect(['MODBUS_DECODE', 'MODBUS_TIMEOUT', 'MODBUS_CLOSED']).toContain(h.lastErrorCode);
  });

  it('one request at a time per connection, even with several units behind one gateway', async () => {
    server = await startFaultServer();
    for (const unit of [1, 2, 3]) server.setRegisters('holding', 0, [unit * 10, 0, 0], unit);
    server.behave(() => ({ kind: 'delay', ms: 15 }));
    const sink = await run(
      [1, 2, 3].map((unit) =>
        plc(server!.port, { id: `u${unit}`, unitId: unit, pollInterval: '20ms', timeout: '500ms' }),
      ),
    );
    await waitFor(() => server!.requests.length >= 40, 10_000, '40 requests');
    expect(server.connections).toBe(1);
    expect(server.maxInFlight).toBe(1);
    expect(sink.last('u1.count')).toBe(10);
    expect(sink.last('u2.count')).toBe(20);
    expect(sink.last('u3.count')).toBe(30);
  });
});

describe('units sharing one connection', () => {
  it('a silent unit behind a gateway never blanks the others', async () => {
    server = await startFaultServer();
    server.setRegisters('holding', 0, [1, 0, 0], 1);
    server.setRegisters('holding', 0, [2, 0, 0], 2);
    let served = 0;
    server.behave((req) => {
      if (req.unitId === 2) return { kind: 'silent' };
      served++;
      server!.setRegisters('holding', 0, [served], 1); // a value that changes on every poll
      return undefined;
    });
    const sink = await run([plc(server.port, { id: 'good', unitId: 1 }), plc(server.port, { id: 'dead', unitId: 2 })]);
    await waitFor(() => sink.commsOf('dead').includes(false), 10_000, 'dead unit comms lost');
    const before = sink.valuesOf('good.count').length;
    await sleep(1_500);
    // The good unit keeps delivering fresh values and never loses comms; the dead one is only
    // probed at its backoff rate.
    expect(sink.valuesOf('good.count').length - before).toBeGreaterThan(10);
    expect(sink.commsOf('good')).toEqual([true]);
    expect(healthOf('dead').lastErrorCode).toBe('MODBUS_TIMEOUT');
    expect(healthOf('dead').lastError).toMatch(
      /^MODBUS_TIMEOUT dead tcp:\/\/127\.0\.0\.1:\d+ unit 2: read holding 0\.\.2 after 150ms$/,
    );
  });
});

describe('exception responses', () => {
  it('exception 2 on a coalesced read: the bad tag is isolated and reported, the good tags keep flowing', async () => {
    server = await startFaultServer({ strictAddresses: true });
    server.setRegisters('holding', 0, [5, 6]); // register 3 does not exist in this PLC
    const sink = await run(
      [
        plc(server.port, {
          tags: [
            { name: 'a', address: 0 },
            { name: 'b', address: 1 },
            { name: 'ghost', address: 3 },
          ],
        }),
      ],
      60_000,
    );
    await waitFor(() => server!.requests.length >= 15, 10_000, '15 requests');
    expect(sink.last('plc1.a')).toBe(5);
    expect(sink.last('plc1.b')).toBe(6);
    expect(sink.valuesOf('plc1.ghost')).toEqual([]);
    const h = healthOf();
    expect(h.configErrors).toHaveLength(1);
    expect(h.configErrors[0]).toMatchObject({
      read: 'read holding 3..3',
      exceptionCode: 2,
      tags: ['ghost @ holding 3'],
    });
    expect(h.lastError).toMatch(
      /^MODBUS_EXCEPTION plc1 tcp:\/\/127\.0\.0\.1:\d+ unit 1: read holding 3\.\.3 answered exception 2 \(illegal data address\) \(tags ghost @ holding 3\)/,
    );
    // Not retried in a tight loop: the bad address is asked once after the split, then rests.
    const ghostReads = server.requests.filter((r) => r.start === 3 && r.count === 1);
    expect(ghostReads).toHaveLength(1);
    // The device answers, so it is not comms_lost.
    expect(sink.commsOf('plc1')).toEqual([true]);
  });

  it('a refused request is retried at the slow config-error rate', async () => {
    server = await startFaultServer({ strictAddresses: true });
    await run([plc(server.port, { tags: [{ name: 'ghost', address: 3 }] })], 300);
    await sleep(1_500);
    const ghostReads = server.requests.filter((r) => r.start === 3).length;
    // Polling every 50 ms would be ~30 requests; every 300 ms it is about 5.
    expect(ghostReads).toBeGreaterThanOrEqual(2);
    expect(ghostReads).toBeLessThanOrEqual(8);
  });

  it('exception 6 (busy) is retried, and the value still arrives without comms loss', async () => {
    server = await startFaultServer();
    server.setRegisters('holding', 0, [9, 0, 0]);
    let n = 0;
    server.behave(() => (++n % 2 === 1 ? { kind: 'exception', code: 6 } : undefined));
    const sink = await run([plc(server.port)]);
    await waitFor(() => n >= 10, 10_000, '10 requests');
    expect(sink.last('plc1.count')).toBe(9);
    expect(sink.commsOf('plc1')).toEqual([true]);
    expect(healthOf().errors).toBeGreaterThanOrEqual(4);
  });

  it('exception 0x0B marks the unit offline (comms lost), backs it off, and it comes back', async () => {
    server = await startFaultServer();
    server.setRegisters('holding', 0, [3, 0, 0]);
    let offline = true;
    server.behave(() => (offline ? { kind: 'exception', code: 0x0b } : undefined));
    const sink = await run([plc(server.port, { backoffMax: '800ms' })]);
    await waitFor(() => sink.commsOf('plc1').includes(false), 10_000, 'comms lost');
    const lost = sink.commsChanges.find((c) => !c.ok);
    expect(lost?.error).toMatch(
      /^MODBUS_OFFLINE plc1 .* answered exception 11 \(gateway target device failed to respond\)/,
    );
    const before = server.requests.length;
    await sleep(1_600);
    // 50 ms polls would send ~32 requests in 1.6 s; backoff (<= 800 ms) sends a handful.
    expect(server.requests.length - before).toBeLessThanOrEqual(10);
    offline = false;
    await waitFor(() => sink.last('plc1.count') === 3 && sink.commsOf('plc1').at(-1) === true, 10_000, 'back online');
  });
});
