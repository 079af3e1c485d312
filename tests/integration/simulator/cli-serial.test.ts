/**
 * `lineside simulate -s steady --serial plc1=PTY`: the TCP scenario's plc1 served over Modbus RTU
 * on one end of a real socat pty pair, read by a modbus-serial RTU master on the other end, as in
 * the commissioning walk of simulator/README.md. ServerSerial cuts frames at a 30 ms silence, so
 * requests are spaced 60 ms apart. Bad --serial values exit 2 naming the problem.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import ModbusSerial from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulateCli } from '../../../simulator/cli.js';
import { runCli } from '../../helpers/cli.js';
import { closeClient, tcpClient, u32, type Client } from './modbus-client.js';
import { ptyPair, startServed, type PtyPair, type ServedSim } from './served-cli.js';
// The CommonJS module's default export is the module itself; `.default` is the typed client class.
const ModbusRTU = ModbusSerial.default;

describe('--serial plc1=PTY serves plc1 over RTU (real process, real pty pair)', () => {
  let pty: PtyPair | undefined;
  let sim: ServedSim | undefined;
  let master: Client | undefined;

  beforeAll(async () => {
    pty = await ptyPair();
    // --modbus-port 0: plc2 stays on TCP, on a free port, so parallel test files never collide.
    sim = await startServed(['-s', 'steady', '--serial', `plc1=${pty.plcEnd}?baud=19200`, '--modbus-port', '0']);
    master = new ModbusRTU();
    await master.connectRTUBuffered(pty.masterEnd, { baudRate: 19200 });
    master.setID(1);
    master.setTimeout(1_000);
  }, 60_000);

  afterAll(async () => {
    await closeClient(master);
    const stopped = await sim?.stop();
    await pty?.close();
    expect(stopped?.code).toBe(0);
    expect(stopped?.stdout).toContain('stopped (SIGINT)');
  });

  const read = async (address: number, count: number) => {
    await sleep(60);
    return (master as Client).readHoldingRegisters(address, count);
  };

  it('the banner shows plc1 on the serial device with its line setting, and how to probe it', () => {
    expect(sim?.banner).toContain(`plc1 (press, weld): rtu://${pty?.plcEnd} unit 1, 19200 8N1`);
    expect(sim?.banner).toContain(
      'try: lineside probe "rtu://OTHER-END?baud=19200&parity=none&databits=8&stopbits=1" --unit 1 --holding 0-9',
    );
    expect(sim?.banner).toMatch(/plc2 \(pack\): tcp:\/\/127\.0\.0\.1:\d+ unit 1/);
  });

  it('the RTU master reads the same register map with live, non-zero values', async () => {
    const { data } = await read(0, 18);
    const press = u32(data[0] as number, data[1] as number);
    const weld = u32(data[11] as number, data[10] as number); // CDAB
    expect(press).toBeGreaterThan(0);
    expect(weld).toBeGreaterThan(0);
    expect(data[2]).toBeGreaterThan(0); // press good count
    expect(u32(data[6] as number, data[7] as number)).toBeGreaterThanOrEqual(12_000); // last cycle >= ideal 12 s
    expect((await read(100, 8)).buffer.toString('latin1').replace(/\0+$/, '')).toBe('LS-SIM-1');
  });

  it('the heartbeat moves between two reads a second apart', async () => {
    const first = (await read(110, 1)).data[0] as number;
    await sleep(1_200);
    expect((await read(110, 1)).data[0]).toBeGreaterThan(first);
  });

  it('plc2 is still served over TCP at the port the banner names', async () => {
    const client = await tcpClient(sim?.port('plc2') as number);
    try {
      expect((await client.readHoldingRegisters(0, 1)).data[0]).toBeGreaterThan(0);
    } finally {
      await closeClient(client);
    }
  });
});

describe('bad --serial values', () => {
  it.each([
    [
      ['--serial', 'plc9=/tmp/lineside-none'],
      'scenario "steady" has no PLC "plc9"; did you mean "plc1"? (PLCs: plc1, plc2)',
    ],
    [['--serial', 'plc1'], '--serial takes PLC=PATH[?baud=19200&parity=even&databits=8&stopbits=1], got "plc1"'],
  ])('the CLI process exits 2 for %j: %s', async (args, message) => {
    const r = await runCli(['simulate', '-s', 'steady', '--modbus-port', '0', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it.each([
    [['--serial', 'plc1=/tmp/x?baud=fast'], '--serial plc1: baud "fast"'],
    [['--serial', 'plc1=/tmp/x?flow=rtscts'], 'unknown option "flow"'],
    [['--serial', 'plc1=/tmp/x', '--serial', 'plc1=/tmp/y'], 'plc1 is given twice'],
    [['--serial', 'plc1=/tmp/bus', '--serial', 'plc2=/tmp/bus'], 'would both answer unit 1 on /tmp/bus'],
    [['--serial', 'plc1=/tmp/x', '--speed', 'max', '--duration', '1h'], '--speed max runs without servers'],
  ])('%j exits 2: %s', async (args, message) => {
    const err: string[] = [];
    const code = await runSimulateCli(['-s', 'steady', '--modbus-port', '0', ...args], {
      stdout: { write: () => true },
      stderr: { write: (t: string) => err.push(t) },
    });
    expect(code).toBe(2);
    expect(err.join('')).toContain(message);
  });

  it('a serial device that is not there is a runtime failure (exit 1) with the socat hint', async () => {
    const err: string[] = [];
    const code = await runSimulateCli(
      ['-s', 'steady', '--modbus-port', '0', '--serial', 'plc1=/tmp/lineside-no-such-tty'],
      { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } },
    );
    expect(code).toBe(1);
    expect(err.join('')).toContain('cannot open /tmp/lineside-no-such-tty');
    expect(err.join('')).toContain('socat -d -d pty,raw,echo=0,link=/tmp/ttyV0');
  });
});
