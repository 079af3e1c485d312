/**
 * The complaint users have most about other pollers: after a PLC restart they never reconnect
 * until someone redeploys. Here the PLC is switched off (listener closed, sockets dropped), boots
 * (its TCP port accepts again but its Modbus server resets every connection it gets a request
 * on), then serves again on the same port; polling must resume by itself on the next attempt.
 *
 * The reconnect backoff runs on a stepped clock (the source's `reconnectClock`) with a fixed
 * jitter sequence, so every connect attempt is checked against its exact due time without
 * sleeping through it: one virtual millisecond before it no connection reaches the PLC, at it
 * exactly one does. Attempts are counted as connections accepted by the PLC's real socket.
 * Polls run in real time (50 ms); "a poll ran after the clock step" is the barrier, not a sleep.
 */
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createModbusSource, type ModbusSource } from '../../../src/sources/modbus/source.js';
import { startFaultServer, type FaultServer } from '../../helpers/modbus-fault-server.js';
import { device, RecordingSink, testLogger, waitFor } from './support.js';

let server: FaultServer | undefined;
let source: ModbusSource | undefined;

afterEach(async () => {
  await source?.stop();
  await server?.stop();
});

// Jitter draws, in order, one per backed-off connect attempt. With the config below (first step
// 250 ms, backoffMax 3 s) each delay is step/2 + step/2 * r ("equal jitter", src/lib/backoff.ts)
// but never below the first step, so the attempts after the lost connection are due at these gaps. The last three steps would be 4 s, 8 s and
// 16 s without the cap.
const JITTER = [0, 1, 0.5, 1, 1, 0.5, 0];
const STEPS_MS = [250, 500, 1_000, 2_000, 3_000, 3_000, 3_000];
const DELAYS_MS = [250, 500, 750, 2_000, 3_000, 2_250, 1_500];

it('PLC switched off, booting, then back: connect attempts follow the capped jittered backoff and polling resumes on the next attempt', async () => {
  // The table above is what the configured policy means; check it is self-consistent first.
  DELAYS_MS.forEach((d, i) => {
    const step = STEPS_MS[i] as number;
    expect(d).toBe(Math.max(250, step / 2 + (step / 2) * (JITTER[i] as number)));
    expect(d).toBeLessThanOrEqual(3_000);
  });

  let nowMs = 1_000_000; // the reconnect clock; stands still unless the test steps it
  const draws: number[] = [];
  const random = (): number => {
    const r = JITTER[draws.length] ?? 0.5;
    draws.push(r);
    return r;
  };

  server = await startFaultServer();
  server.setRegisters('holding', 0, [100]);
  const sink = new RecordingSink();
  const src = createModbusSource(
    {
      devices: [
        device({
          protocol: 'modbus-tcp',
          id: 'press',
          host: '127.0.0.1',
          port: server.port,
          pollInterval: '50ms',
          timeout: '500ms',
          backoffMax: '3s',
          tags: [{ name: 'count', address: 0 }],
        }),
      ],
    },
    { clock: systemClock, logger: testLogger, random, reconnectClock: () => nowMs },
  );
  source = src;
  const health = () => src.health()[0]!;
  /** Resolves once a whole poll cycle has run after this call (so after any clock step before it). */
  const pollAfterNow = async (what: string): Promise<void> => {
    const polls = health().polls;
    // The cycle in flight (if any) may have read the clock before the step; the next one did not.
    await waitFor(() => health().polls >= polls + 2, 10_000, `two poll cycles (${what})`);
  };

  await src.start(sink);
  await waitFor(() => sink.last('press.count') === 100, 10_000, 'first value');
  expect(server.connections).toBe(1);

  // PLC switched off. Losing a good connection reconnects at once (one refused attempt, which no
  // socket of ours can see); after that failure the transport backs off and, with the clock
  // standing still, tries nothing more.
  await server.goAway();
  await waitFor(() => sink.commsOf('press').at(-1) === false, 10_000, 'comms lost after the PLC vanished');
  await pollAfterNow('PLC off');
  const off = health();
  expect(off.connected).toBe(false);
  expect(off.lastErrorCode).toBe('MODBUS_CONNECT');
  expect(off.lastError).toMatch(/not sent: .*ECONNREFUSED.*\(next connect attempt in 250ms\)/);
  expect(draws).toHaveLength(1);

  // The PLC boots: its port accepts connections again, its Modbus server resets each one.
  server.behave(() => ({ kind: 'reset' }));
  await server.comeBack();
  await pollAfterNow('PLC booting, clock unchanged');
  expect(server.connections, 'no connect attempt while the backoff has not elapsed').toBe(1);

  let lastAttemptAt = nowMs;
  // The last delay is the wait before the attempt that finds the PLC serving again (below).
  for (const [i, delay] of DELAYS_MS.slice(0, -1).entries()) {
    const before = server.connections;
    nowMs = lastAttemptAt + delay - 1;
    await pollAfterNow(`1 ms before attempt ${i + 1}`);
    expect(server.connections, `backed-off attempt ${i + 1} came before its ${delay} ms delay`).toBe(before);
    nowMs = lastAttemptAt + delay;
    await pollAfterNow(`attempt ${i + 1} due`);
    expect(
      server.connections,
      `backed-off attempt ${i + 1} did not come ${delay} ms after the previous one (or came twice)`,
    ).toBe(before + 1);
    lastAttemptAt = nowMs;

    const down = health();
    expect(down.connected).toBe(false);
    expect(down.lastErrorCode).toBe('MODBUS_CLOSED');
    expect(sink.commsOf('press')).toEqual([true, false]);
  }
  // Every counted connection carried one request, which the booting PLC reset.
  const resetConnections = new Set(server.requests.filter((r) => r.connection > 1).map((r) => r.connection));
  expect([...resetConnections]).toEqual([2, 3, 4, 5, 6, 7]);

  // The PLC serves again, with a reset counter. Nothing happens before the next attempt is due;
  // at it, one connection, and the first read re-emits the value.
  server.behave(() => undefined);
  server.setRegisters('holding', 0, [0]);
  const before = server.connections;
  const lastDelay = DELAYS_MS.at(-1) as number;
  nowMs = lastAttemptAt + lastDelay - 1;
  await pollAfterNow('1 ms before the attempt that finds the PLC up');
  expect(server.connections).toBe(before);
  expect(sink.commsOf('press')).toEqual([true, false]);
  nowMs = lastAttemptAt + lastDelay;
  await waitFor(
    () => sink.commsOf('press').at(-1) === true && sink.last('press.count') === 0,
    10_000,
    'polling resumed',
  );
  expect(server.connections, 'reconnected on the first attempt after the PLC came back').toBe(before + 1);

  // Samples flow again, on that one connection.
  server.setRegisters('holding', 0, [7]);
  await waitFor(() => sink.last('press.count') === 7, 10_000, 'a new value after the restart');
  expect(server.connections).toBe(before + 1);
  expect(sink.valuesOf('press.count')).toEqual([100, 0, 7]);
  expect(sink.commsOf('press')).toEqual([true, false, true]);
  const up = health();
  expect(up.connected).toBe(true);
  expect(up.consecutiveFailures).toBe(0);
  expect(draws).toEqual(JITTER);
});
