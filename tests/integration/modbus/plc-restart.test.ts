/**
 * The complaint users have most about other pollers: after a PLC restart they never reconnect
 * until someone redeploys. Here the PLC is gone for 20 s (listener closed, sockets dropped),
 * then back on the same port; polling must resume by itself within the backoff cap.
 * Takes ~25 s of real time by nature; the backoff cap is 3 s so it stays short.
 */
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createModbusSource, type ModbusSource } from '../../../src/sources/modbus/source.js';
import { startFaultServer, type FaultServer } from '../../helpers/modbus-fault-server.js';
import { device, RecordingSink, sleep, testLogger, waitFor } from './support.js';

let server: FaultServer | undefined;
let source: ModbusSource | undefined;

afterEach(async () => {
  await source?.stop();
  await server?.stop();
});

it('PLC gone for 20 s then back: polling resumes by itself within the backoff cap, errors counted', { timeout: 60_000 }, async () => {
  server = await startFaultServer();
  server.setRegisters('holding', 0, [100]);
  const sink = new RecordingSink();
  source = createModbusSource(
    {
      devices: [device({
        protocol: 'modbus-tcp', id: 'press', host: '127.0.0.1', port: server.port,
        pollInterval: '100ms', timeout: '200ms', backoffMax: '3s',
        tags: [{ name: 'count', address: 0 }],
      })],
    },
    { clock: systemClock, logger: testLogger },
  );
  await source.start(sink);
  await waitFor(() => sink.last('press.count') === 100, 10_000, 'first value');

  await server.goAway();
  await waitFor(() => sink.commsOf('press').at(-1) === false, 10_000, 'comms lost after the PLC vanished');
  await sleep(20_000);
  const during = source.health()[0]!;
  expect(during.connected).toBe(false);
  expect(during.errors).toBeGreaterThan(5);
  expect(['MODBUS_CONNECT', 'MODBUS_CLOSED']).toContain(during.lastErrorCode);
  // Backing off: far fewer connect attempts than polls (200 polls in 20 s at 100 ms).
  expect(server.connections).toBe(1);

  // The PLC comes back with a reset counter; the first read after reconnect re-emits it.
  server.setRegisters('holding', 0, [0]);
  const backAt = Date.now();
  await server.comeBack();
  await waitFor(() => sink.commsOf('press').at(-1) === true && sink.last('press.count') === 0, 10_000, 'polling resumed');
  const resumedAfterMs = Date.now() - backAt;
  // Within the 3 s cap plus a poll interval; the bound is generous, not a speed test.
  expect(resumedAfterMs).toBeLessThan(3_000 + 3_000);
  expect(sink.commsOf('press')).toEqual([true, false, true]);
  expect(source.health()[0]!.connected).toBe(true);
});
