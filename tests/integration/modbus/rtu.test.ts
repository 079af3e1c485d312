/**
 * Modbus RTU on a real serial line without hardware: socat pty pairs.
 * - Two unit ids on one RS-485 bus (the simulator's ServerSerial on the far end), one of them
 *   not answering: the other keeps its full poll rate.
 * - A USB adapter unplugged and plugged back: socat bridging a pty to a TCP Modbus responder
 *   is killed (the pty vanishes) and restarted at the same path; the poller reports it, never
 *   crashes, and reopens the port by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { createModbusSource, type ModbusSource } from '../../../src/sources/modbus/source.js';
import { startSimulator, VirtualClock, type SimulatorHandle } from '../../../simulator/index.js';
import { requireBinary } from '../../helpers/binaries.js';
import { startFaultServer, type FaultServer } from '../../helpers/modbus-fault-server.js';
import { scenarioOf } from '../../unit/simulator/helpers.js';
import { device, RecordingSink, sleep, testLogger, waitFor } from './support.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lineside-modbus-rtu-'));
const children = new Set<ChildProcess>();

/** Starts socat with these two addresses; resolves once every given link exists. */
async function socat(addresses: [string, string], links: string[]): Promise<ChildProcess> {
  const child = spawn(requireBinary('socat', 'socat'), ['-d', '-d', ...addresses], { stdio: 'ignore' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await waitFor(() => links.every((l) => existsSync(l)), 5_000, `socat links ${links.join(', ')}`);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  await Promise.all([...children].map(kill));
  rmSync(dir, { recursive: true, force: true });
});

describe('two unit ids on one RS-485 bus (simulator ServerSerial over a socat pty pair)', () => {
  const scenario = scenarioOf(`
name: rtu-bus
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
  const clock = new VirtualClock({ startWallMs: 0 });
  let sim: SimulatorHandle | undefined;
  let source: ModbusSource | undefined;
  let pair: ChildProcess | undefined;

  beforeAll(async () => {
    const plcEnd = path.join(dir, 'bus-plc');
    const masterEnd = path.join(dir, 'bus-master');
    pair = await socat([`PTY,link=${plcEnd},raw,echo=0`, `PTY,link=${masterEnd},raw,echo=0`], [plcEnd, masterEnd]);
    sim = await startSimulator({ scenario, clock, serialPaths: { plcA: plcEnd, plcB: plcEnd } });
    clock.advance(600_000);
    const common = {
      protocol: 'modbus-rtu',
      serial: { path: masterEnd, baudRate: 19200 },
      pollInterval: '300ms',
      timeout: '150ms',
      // The simulator's ServerSerial ends a frame after 30 ms of silence: keep requests apart.
      interRequestDelay: '40ms',
      backoffMax: '2s',
    };
    source = createModbusSource(
      {
        devices: [
          device({
            ...common,
            id: 'unitA',
            unitId: 1,
            tags: [
              { name: 'count', address: 0, type: 'uint32' },
              { name: 'id', address: 10, type: 'string', length: 4 },
            ],
          }),
          device({
            ...common,
            id: 'unitB',
            unitId: 2,
            tags: [
              { name: 'count', address: 0, type: 'uint32', order: 'CDAB' },
              { name: 'id', address: 10, type: 'string', length: 4 },
            ],
          }),
        ],
      },
      { clock, logger: testLogger },
    );
  });

  afterAll(async () => {
    await source?.stop();
    await sim?.stop();
    if (pair) await kill(pair);
  });

  it('each unit is read with its own map over the shared bus, and a dead unit does not slow the other', async () => {
    const sink = new RecordingSink();
    await source!.start(sink);
    await waitFor(
      () => sink.last('unitA.id') !== undefined && sink.last('unitB.id') !== undefined,
      10_000,
      'both units read',
    );
    expect(sink.last('unitA.id')).toBe('UNIT-ONE');
    expect(sink.last('unitB.id')).toBe('UNIT-TWO');
    expect(sink.last('unitA.count')).toBe(sim!.line.stations.get('a')!.total);
    expect(sink.last('unitB.count')).toBe(sim!.line.stations.get('b')!.total);

    sim!.faults.silent('plcB');
    await waitFor(() => sink.commsOf('unitB').at(-1) === false, 10_000, 'unit B comms lost');
    const healthA = () => source!.health().find((h) => h.device === 'unitA')!;
    const pollsBefore = healthA().polls;
    const overrunsBefore = healthA().overruns;
    const probesBefore = sim!.requests('plcB');
    const windowMs = 6_000;
    await sleep(windowMs);
    const polls = healthA().polls - pollsBefore;
    // Full rate is 20 polls in 6 s. A dead unit probed every poll would cost 190 ms of bus time
    // per 300 ms; backed off, it costs a probe every 1-2 s. Bound kept generous (no speed test).
    expect(polls).toBeGreaterThanOrEqual(16);
    expect(healthA().overruns - overrunsBefore).toBeLessThanOrEqual(3);
    expect(sink.commsOf('unitA')).toEqual([true]);
    expect(sim!.requests('plcB') - probesBefore).toBeLessThanOrEqual(8);
    expect(source!.health().find((h) => h.device === 'unitB')!.lastError).toMatch(
      /^MODBUS_TIMEOUT unitB rtu:\/\/.*bus-master unit 2: read holding 0\.\.13 after 150ms$/,
    );

    await sim!.faults.clear();
    await waitFor(() => sink.commsOf('unitB').at(-1) === true, 10_000, 'unit B back');
  });
});

describe('a USB RS-485 adapter unplugged and plugged back', () => {
  let server: FaultServer | undefined;
  let source: ModbusSource | undefined;

  afterEach(async () => {
    await source?.stop();
    await server?.stop();
  });

  it('is reported, never crashes the process, and is reopened when it comes back', { timeout: 60_000 }, async () => {
    server = await startFaultServer({ framing: 'rtu' });
    server.setRegisters('holding', 0, [4242]);
    const tty = path.join(dir, 'ttyUSB-sim');
    const bridge = () => socat([`PTY,link=${tty},raw,echo=0`, `TCP:127.0.0.1:${server!.port}`], [tty]);
    let adapter = await bridge();
    const sink = new RecordingSink();
    source = createModbusSource(
      {
        devices: [
          device({
            protocol: 'modbus-rtu',
            id: 'meter',
            serial: { path: tty, baudRate: 9600 },
            pollInterval: '100ms',
            timeout: '300ms',
            backoffMax: '1s',
            tags: [{ name: 'energy', address: 0 }],
          }),
        ],
      },
      { clock: systemClock, logger: testLogger },
    );
    await source.start(sink);
    await waitFor(() => sink.last('meter.energy') === 4242, 10_000, 'first value');

    await kill(adapter); // unplugged: the pty and its link vanish
    await waitFor(() => sink.commsOf('meter').at(-1) === false, 10_000, 'comms lost after unplug');
    await sleep(2_000); // several reopen attempts fail meanwhile
    const unplugged = source.health()[0]!;
    expect(unplugged.connected).toBe(false);
    expect(['SERIAL_OPEN', 'MODBUS_CLOSED']).toContain(unplugged.lastErrorCode);
    expect(unplugged.lastError).toContain(tty);

    server.setRegisters('holding', 0, [4343]);
    adapter = await bridge(); // plugged back in, same path
    await waitFor(
      () => sink.commsOf('meter').at(-1) === true && sink.last('meter.energy') === 4343,
      15_000,
      'polling resumed on the new port',
    );
    expect(source.health()[0]!.connected).toBe(true);
    await kill(adapter);
  });
});
