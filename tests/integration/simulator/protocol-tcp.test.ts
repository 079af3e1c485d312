/**
 * The virtual PLCs over real Modbus TCP sockets, read by an independent master: every register
 * type in all four word orders against hand-computed byte vectors, and the scenario's live
 * values where the register map puts them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../simulator/start.js';
import { VirtualClock } from '../../../simulator/time/virtual-clock.js';
import { freePort } from '../../helpers/ports.js';
import { TEST_BLOCK_VECTORS } from '../../unit/simulator/fixtures/hand-vectors.js';
import { scenarioOf } from '../../unit/simulator/helpers.js';
import { closeClient, f32, f64, failureOf, i16, tcpClient, u32, type Client } from './modbus-client.js';

const HOUR = 3_600_000;

describe('demo PLCs over Modbus TCP', () => {
  let sim: SimulatorHandle;
  let plc1: Client;
  let plc2: Client;
  const clock = new VirtualClock({ startWallMs: Date.UTC(2025, 0, 6, 5) }); // 06:00 Berlin, early shift

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'demo', clock, ports: { plc1: await freePort(), plc2: await freePort() } });
    plc1 = await tcpClient(sim.ports.plc1 as number);
    plc2 = await tcpClient(sim.ports.plc2 as number);
    clock.advance(2 * HOUR);
  });
  afterAll(async () => {
    await closeClient(plc1);
    await closeClient(plc2);
    await sim?.stop();
  });

  it('the holding-register test block matches every hand-computed vector (FC3)', async () => {
    const { data } = await plc1.readHoldingRegisters(1000, 88);
    for (const v of TEST_BLOCK_VECTORS)
      expect(data.slice(v.offset, v.offset + v.words.length), v.what).toEqual(v.words);
  });

  it('the input-register test block matches too (FC4)', async () => {
    const { data } = await plc2.readInputRegisters(1000, 88);
    for (const v of TEST_BLOCK_VECTORS)
      expect(data.slice(v.offset, v.offset + v.words.length), v.what).toEqual(v.words);
    expect(i16(data[1] as number)).toBe(-1234);
  });

  it('counters: uint32 ABCD, uint32 word-swapped (CDAB), and a uint16 that has wrapped', async () => {
    const press = sim.line.stations.get('press');
    const weld = sim.line.stations.get('weld');
    const pack = sim.line.stations.get('pack');
    const a = (await plc1.readHoldingRegisters(0, 20)).data;
    expect(u32(a[0] as number, a[1] as number)).toBe(press?.total);
    expect(a[2]).toBe(press?.good);
    expect(a[3]).toBe(press?.reject);
    expect(u32(a[11] as number, a[10] as number)).toBe(weld?.total);
    expect(weld?.total).toBeGreaterThan(300);
    const b = (await plc2.readHoldingRegisters(0, 3)).data;
    // pack starts at 65300 and has made more than 236 parts in two hours: the register wrapped
    expect((pack?.total ?? 0) + 65300).toBeGreaterThan(65536);
    expect(b[0]).toBe((65300 + (pack?.total ?? 0)) % 65536);
    expect(b[1]).toBe(pack?.good);
  });

  it('status bits, coils and discrete inputs follow the stations', async () => {
    const press = sim.line.stations.get('press');
    const status = (await plc1.readHoldingRegisters(5, 1)).data[0] as number;
    expect(Boolean(status & 1)).toBe(press?.processing);
    expect(Boolean(status & 2)).toBe(press?.starved);
    expect(Boolean(status & 4)).toBe(press?.blocked);
    const coils = (await plc1.readCoils(0, 2)).data;
    expect(coils[0]).toBe(press?.processing);
    expect(coils[1]).toBe(sim.line.stations.get('weld')?.processing);
    const pack = sim.line.stations.get('pack');
    const di = (await plc2.readDiscreteInputs(0, 4)).data;
    expect(di.slice(0, 4)).toEqual([pack?.processing, pack?.starved, pack?.blocked, pack?.plannedBit]);
    expect((await plc1.readHoldingRegisters(4, 1)).data[0]).toBe(press?.faultCode);
  });

  it('condition values: float32 CDAB, float32 ABCD, float64, and int16 scaled by 0.01', async () => {
    const w = (await plc1.readInputRegisters(0, 8)).data;
    expect(f32(w[1] as number, w[0] as number)).toBeCloseTo(sim.line.conditionValue('press', 'vibration'), 5);
    expect(f32(w[2] as number, w[3] as number)).toBeCloseTo(sim.line.conditionValue('weld', 'temperature'), 4);
    expect(f64(w.slice(4, 8))).toBe(sim.line.conditionValue('weld', 'current'));
    const current = i16((await plc2.readInputRegisters(0, 1)).data[0] as number) * 0.01;
    expect(current).toBeCloseTo(sim.line.conditionValue('pack', 'current'), 2);
  });

  it('identity string and heartbeat', async () => {
    const { buffer } = await plc1.readHoldingRegisters(100, 8);
    expect(buffer.toString('latin1').replace(/\0+$/, '')).toBe('LS-SIM-1');
    expect((await plc1.readHoldingRegisters(110, 1)).data[0]).toBe(7200 % 65536);
  });

  it('answers illegal data address past the memory and refuses writes to the read-only map', async () => {
    expect((await failureOf(plc1.readHoldingRegisters(9_990, 20))).modbusCode).toBe(2);
    expect((await failureOf(plc1.writeRegister(0, 1))).modbusCode).toBe(2);
    // the connection is still usable afterwards
    expect((await plc1.readHoldingRegisters(0, 1)).data).toHaveLength(1);
  });
});

describe('uint32 counter wrap', () => {
  it('a uint32 part counter rolls over from 4294967295 to 0', async () => {
    const scenario = scenarioOf(`
name: wrap
shifts: { timezone: UTC }
line:
  id: l
  stations:
    - { id: m, idealCycleTime: 1s, counters: { partStart: 4294967290 } }
plcs:
  - id: plc1
    registers:
      - { signal: m.partCount, address: 0, type: uint32 }
`);
    const clock = new VirtualClock({ startWallMs: 0 });
    const sim = await startSimulator({ scenario, clock, ports: { plc1: await freePort() } });
    const client = await tcpClient(sim.ports.plc1 as number);
    try {
      clock.advance(5_000);
      expect((await client.readHoldingRegisters(0, 2)).data).toEqual([0xffff, 0xffff]);
      clock.advance(3_000);
      expect((await client.readHoldingRegisters(0, 2)).data).toEqual([0, 2]);
    } finally {
      await closeClient(client);
      await sim.stop();
    }
  });
});
