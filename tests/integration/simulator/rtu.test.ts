/**
 * Modbus RTU over a real serial line: a socat pty pair, the simulator's ServerSerial on one
 * end, a modbus-serial RTU master on the other, two unit ids on one bus.
 * ServerSerial cuts frames at a 30 ms silence, so requests are spaced 60 ms apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ModbusSerial from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../simulator/start.js';
import { VirtualClock } from '../../../simulator/time/virtual-clock.js';
import { requireBinary } from '../../helpers/binaries.js';
import { scenarioOf } from '../../unit/simulator/helpers.js';
import { closeClient, failureOf, u32, type Client } from './modbus-client.js';
// The CommonJS module's default export is the module itself; `.default` is the typed client class.
const ModbusRTU = ModbusSerial.default;

const scenario = scenarioOf(`
name: rtu
shifts: { timezone: UTC }
line:
  id: l
  stations:
    - { id: a, idealCycleTime: 10s, outputBuffer: { capacity: 5 } }
    - { id: b, idealCycleTime: 12s }
plcs:
  - id: plcA
    transport: rtu
    serial: { path: /dev/null-placeholder, baudRate: 19200 }
    unitId: 1
    identity: UNIT-ONE
    registers:
      - { signal: a.partCount, address: 0, type: uint32 }
      - { signal: identity, address: 10, type: string, length: 4 }
  - id: plcB
    transport: rtu
    serial: { path: /dev/null-placeholder, baudRate: 19200 }
    unitId: 2
    identity: UNIT-TWO
    registers:
      - { signal: b.partCount, address: 0, type: uint32, order: CDAB }
      - { signal: identity, address: 10, type: string, length: 4 }
`);

describe('RTU over a socat pty pair, two unit ids on one bus', () => {
  let socat: ChildProcess | undefined;
  let dir = '';
  let sim: SimulatorHandle | undefined;
  let master: Client | undefined;
  const clock = new VirtualClock({ startWallMs: 0 });

  beforeAll(async () => {
    const binary = requireBinary('socat', 'socat');
    dir = mkdtempSync(path.join(os.tmpdir(), 'lineside-rtu-'));
    const slaveEnd = path.join(dir, 'plc');
    const masterEnd = path.join(dir, 'master');
    socat = spawn(binary, ['-d', '-d', `PTY,link=${slaveEnd},raw,echo=0`, `PTY,link=${masterEnd},raw,echo=0`], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !(existsSync(slaveEnd) && existsSync(masterEnd)); i++) await sleep(50);
    if (!existsSync(slaveEnd) || !existsSync(masterEnd))
      throw new Error('socat did not create the pty links within 5 s');
    sim = await startSimulator({ scenario, clock, serialPaths: { plcA: slaveEnd, plcB: slaveEnd } });
    master = new ModbusRTU();
    await master.connectRTUBuffered(masterEnd, { baudRate: 19200 });
    master.setTimeout(500);
    clock.advance(600_000);
  });

  afterAll(async () => {
    await closeClient(master);
    await sim?.stop();
    if (socat !== undefined && socat.exitCode === null) {
      const exited = new Promise((resolve) => socat?.once('exit', resolve));
      socat.kill('SIGTERM');
      await exited;
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const read = async (unit: number, address: number, count: number) => {
    await sleep(60);
    (master as Client).setID(unit);
    return (master as Client).readHoldingRegisters(address, count);
  };

  it('each unit answers with its own PLC map', async () => {
    const a = (await read(1, 0, 2)).data;
    expect(u32(a[0] as number, a[1] as number)).toBe(sim?.line.stations.get('a')?.total);
    const b = (await read(2, 0, 2)).data;
    expect(u32(b[1] as number, b[0] as number)).toBe(sim?.line.stations.get('b')?.total);
    expect((await read(1, 10, 4)).buffer.toString('latin1')).toBe('UNIT-ONE');
    expect((await read(2, 10, 4)).buffer.toString('latin1')).toBe('UNIT-TWO');
    expect(sim?.endpoints.plcB).toMatch(/^rtu:\/\/.*plc unit 2$/);
  });

  it('a unit id nobody has stays silent, as on a real bus', async () => {
    expect(await failureOf(read(9, 0, 2))).toMatchObject({ errno: 'ETIMEDOUT' });
  });

  it('a silent unit does not disturb its neighbour on the bus', async () => {
    sim?.faults.silent('plcB');
    expect(await failureOf(read(2, 0, 2))).toMatchObject({ errno: 'ETIMEDOUT' });
    expect((await read(1, 0, 2)).data).toHaveLength(2);
    sim?.faults.exception('plcA', 6);
    expect((await failureOf(read(1, 0, 2))).modbusCode).toBe(6);
    await sim?.faults.clear();
    expect((await read(2, 0, 2)).data).toHaveLength(2);
  });
});
