/**
 * Comms faults do what they say, as a real Modbus master sees them: a reply held past the
 * client's timeout, exception codes, silence, dropped connections, a PLC that vanishes and
 * comes back on the same port, a restart that resets counters; and scenario-scheduled faults
 * happen at their virtual time. Every fault is in the truth.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../simulator/start.js';
import { VirtualClock } from '../../../simulator/time/virtual-clock.js';
import type { CommsRecord, TruthRecord } from '../../../simulator/truth/records.js';
import { canConnect, freePort, waitForPort } from '../../helpers/ports.js';
import { closeClient, failureOf, tcpClient, u32, type Client } from './modbus-client.js';

describe('injected faults', () => {
  let sim: SimulatorHandle;
  const clock = new VirtualClock({ startWallMs: Date.UTC(2025, 0, 6, 5) });
  const truth: TruthRecord[] = [];
  let client: Client | undefined;

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: 'demo',
      clock,
      ports: { plc1: await freePort(), plc2: await freePort() },
      onTruth: (r) => truth.push(r),
    });
    clock.advance(3_600_000);
  });
  afterEach(async () => {
    await closeClient(client);
    client = undefined;
    await sim.faults.clear();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const port = () => sim.ports.plc1 as number;
  const comms = () => truth.filter((r): r is CommsRecord => r.type === 'comms');

  it('delay: a reply held past the client timeout makes the client time out', async () => {
    client = await tcpClient(port(), 1, 300);
    sim.faults.delay('plc1', 1_000);
    expect(await failureOf(client.readHoldingRegisters(0, 2))).toMatchObject({ errno: 'ETIMEDOUT' });
    expect(comms().at(-1)).toMatchObject({ plc: 'plc1', kind: 'delay', origin: 'injected', delayMs: 1_000 });
  });

  it.each([2, 6, 0x0b])('exception %i: every request is answered with that exception code', async (code) => {
    client = await tcpClient(port());
    sim.faults.exception('plc1', code);
    expect((await failureOf(client.readHoldingRegisters(0, 2))).modbusCode).toBe(code);
    expect((await failureOf(client.readCoils(0, 1))).modbusCode).toBe(code);
  });

  it('an exception for a virtual duration ends when the clock passes it', async () => {
    client = await tcpClient(port());
    sim.faults.exception('plc1', 6, 30_000);
    expect((await failureOf(client.readHoldingRegisters(0, 2))).modbusCode).toBe(6);
    clock.advance(30_000);
    expect((await client.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it('silent: requests are accepted and never answered', async () => {
    client = await tcpClient(port(), 1, 300);
    sim.faults.silent('plc1');
    expect(await failureOf(client.readHoldingRegisters(0, 2))).toMatchObject({ errno: 'ETIMEDOUT' });
    expect(sim.faults.active('plc1')).toEqual([expect.objectContaining({ kind: 'silent', origin: 'injected' })]);
  });

  it('drop: open connections are closed; a reconnect works', async () => {
    client = await tcpClient(port());
    expect(client.isOpen).toBe(true);
    sim.faults.drop('plc1');
    // The close reaches the client asynchronously; give it up to 5 s (it takes a few ms).
    for (let i = 0; i < 500 && client.isOpen; i++) await new Promise((r) => setTimeout(r, 10));
    expect(client.isOpen).toBe(false);
    expect((await failureOf(client.readHoldingRegisters(0, 2))).message).toMatch(/not open/i);
    await closeClient(client);
    client = await tcpClient(port());
    expect((await client.readHoldingRegisters(0, 2)).data).toHaveLength(2);
  });

  it('gone: the port refuses connections, then the PLC is back on the same port', async () => {
    await sim.faults.gone('plc1', 60_000);
    expect(await canConnect(port())).toBe(false);
    clock.advance(60_000);
    await waitForPort(port(), '127.0.0.1', 10_000);
    client = await tcpClient(port());
    expect((await client.readHoldingRegisters(0, 2)).data).toHaveLength(2);
    expect(comms().at(-1)).toMatchObject({
      kind: 'gone',
      origin: 'injected',
      endMs: (comms().at(-1)?.startMs ?? 0) + 60_000,
    });
  });

  it('restart: the counters start again from 0 while the stations keep their history', async () => {
    client = await tcpClient(port());
    const before = (await client.readHoldingRegisters(0, 2)).data;
    expect(u32(before[0] as number, before[1] as number)).toBeGreaterThan(100);
    await closeClient(client);
    await sim.faults.restart('plc1');
    client = await tcpClient(port());
    const madeBefore = sim.line.stations.get('press')?.total ?? 0;
    clock.advance(120_000);
    const after = (await client.readHoldingRegisters(0, 2)).data;
    expect(u32(after[0] as number, after[1] as number)).toBe((sim.line.stations.get('press')?.total ?? 0) - madeBefore);
    expect(u32(after[0] as number, after[1] as number)).toBeLessThan(20);
  });
});

describe('faults scheduled by the scenario (flaky-comms)', () => {
  it('plc2 answers exception 6 during its scheduled window and normally after it', async () => {
    const clock = new VirtualClock({ startWallMs: Date.UTC(2025, 0, 5, 23) });
    const truth: TruthRecord[] = [];
    const sim = await startSimulator({
      scenario: 'flaky-comms',
      clock,
      ports: { plc1: await freePort(), plc2: await freePort() },
      onTruth: (r) => truth.push(r),
    });
    let client: Client | undefined;
    try {
      client = await tcpClient(sim.ports.plc2 as number);
      clock.advance(7.5 * 3_600_000 + 1_000); // "at: 7h30m, duration: 30s"
      expect((await failureOf(client.readHoldingRegisters(0, 1))).modbusCode).toBe(6);
      clock.advance(30_000);
      expect((await client.readHoldingRegisters(0, 1)).data).toHaveLength(1);
      const record = truth.find(
        (r): r is CommsRecord => r.type === 'comms' && r.plc === 'plc2' && r.kind === 'exception',
      );
      expect(record).toMatchObject({
        origin: 'scenario',
        exceptionCode: 6,
        startMs: clock.startWallMs + 7.5 * 3_600_000,
        endMs: clock.startWallMs + 7.5 * 3_600_000 + 30_000,
      });
    } finally {
      await closeClient(client);
      await sim.stop();
    }
  });
});
