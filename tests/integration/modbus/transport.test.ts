/**
 * The transport's queue under the two ways callers use it: one caller issuing the next request
 * the moment the previous reply arrives (the probe, a busy poller), and many callers at once
 * (devices sharing a gateway). Every request must settle, in order, one at a time.
 */
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../../src/lib/logger.js';
import { ModbusTransport, type TransportRequest } from '../../../src/sources/modbus/transport.js';
import { startFaultServer, type FaultServer } from '../../helpers/modbus-fault-server.js';

let server: FaultServer | undefined;
let transport: ModbusTransport | undefined;

afterEach(async () => {
  await transport?.close();
  await server?.stop();
});

async function setup(): Promise<ModbusTransport> {
  server = await startFaultServer();
  server.setRegisters(
    'holding',
    0,
    Array.from({ length: 50 }, (_, i) => i * 3),
  );
  transport = new ModbusTransport(
    { kind: 'tcp', host: '127.0.0.1', port: server.port },
    {
      backoff: { initialMs: 100, maxMs: 500 },
      connectTimeoutMs: 1_000,
      logger: silentLogger,
    },
  );
  return transport;
}

function request(start: number): TransportRequest {
  return {
    target: { device: 'plc1', endpoint: 'tcp://test', unitId: 1 },
    span: { area: 'holding', start, count: 1 },
    timeoutMs: 2_000,
  };
}

it('back-to-back requests, each issued as the previous reply arrives, all complete', async () => {
  const t = await setup();
  const values: number[] = [];
  for (let i = 0; i < 200; i++) values.push((await t.read(request(i % 50))).registers?.[0] ?? -1);
  expect(values).toEqual(Array.from({ length: 200 }, (_, i) => (i % 50) * 3));
  expect(server!.connections).toBe(1);
});

it('many callers at once are served one at a time, first come first served', async () => {
  const t = await setup();
  server!.behave(() => ({ kind: 'delay', ms: 2 }));
  const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => t.read(request(i))));
  expect(replies.map((r) => r.registers?.[0])).toEqual(Array.from({ length: 40 }, (_, i) => i * 3));
  expect(server!.requests.map((r) => r.start)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect(server!.maxInFlight).toBe(1);
});

it('close() settles queued and in-flight requests with MODBUS_CLOSED, nothing dangles', async () => {
  const t = await setup();
  server!.behave(() => ({ kind: 'silent' }));
  const pending = Array.from({ length: 5 }, (_, i) =>
    t.read(request(i)).then(
      () => 'ok',
      (e: { code: string }) => e.code,
    ),
  );
  await new Promise((r) => setTimeout(r, 50));
  await t.close();
  expect(await Promise.all(pending)).toEqual(Array(5).fill('MODBUS_CLOSED'));
  await expect(t.read(request(0))).rejects.toMatchObject({ code: 'MODBUS_CLOSED' });
});
