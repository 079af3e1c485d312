/**
 * `lineside probe` as a commissioning engineer uses it: real sockets, real output, exit codes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../../src/cli/probe.js';
import { startSimulator, VirtualClock, type SimulatorHandle } from '../../../simulator/index.js';
import { runCli } from '../../helpers/cli.js';
import { startFaultServer, type FaultServer } from '../../helpers/modbus-fault-server.js';
import { freePort } from '../../helpers/ports.js';

function capture() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/** Table rows as arrays of cells (columns are separated by two or more spaces). */
function rows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => line.split(/\s{2,}/));
}

describe('ad-hoc reads', () => {
  let server: FaultServer;

  beforeAll(async () => {
    server = await startFaultServer({ strictAddresses: true });
    // float32 123.456 and -1.5 word-swapped (CDAB), then "LS-SIM-1".
    server.setRegisters('holding', 0, [0xe979, 0x42f6, 0x0000, 0xbfc0, 0x4c53, 0x2d53, 0x494d, 0x2d31]);
    // For --order all: float32 123.456 as ABCD (100), int32 305419896 = 0x12345678 as CDAB (102),
    // float64 123.456 = 0x405EDD2F1A9FBE77 as DCBA (104..107).
    server.setRegisters('holding', 100, [0x42f6, 0xe979, 0x5678, 0x1234, 0x77be, 0x9f1a, 0x2fdd, 0x5e40]);
    server.setRegisters('input', 0, [1, 2, 3]);
    server.setBits('coil', 0, [true, false, true]);
    server.behave((req) => (req.unitId === 7 ? { kind: 'silent' } : undefined));
  });

  afterAll(async () => {
    await server.stop();
  });

  it('prints address, raw words in hex and the decoded value per row', async () => {
    const out = capture();
    const code = await runProbe(
      [`tcp://127.0.0.1:${server.port}`, '--unit', '1', '--holding', '0-3', '--type', 'float32', '--order', 'CDAB'],
      out.io,
    );
    expect(code).toBe(0);
    expect(out.stdout).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+ unit 1: read holding 0\.\.3 as float32 CDAB\n/);
    expect(rows(out.stdout)).toEqual([
      ['0', '0xE979 0x42F6', '123.456'],
      ['2', '0x0000 0xBFC0', '-1.5'],
    ]);
    expect(out.stderr).toBe('');
  });

  it('understands Modicon addresses and 1-based numbering', async () => {
    const modicon = capture();
    expect(await runProbe([`tcp://127.0.0.1:${server.port}`, '--addr', '30001-30003'], modicon.io)).toBe(0);
    expect(rows(modicon.stdout)).toEqual([
      ['30001', '0x0001', '1'],
      ['30002', '0x0002', '2'],
      ['30003', '0x0003', '3'],
    ]);
    const based = capture();
    expect(await runProbe([`tcp://127.0.0.1:${server.port}`, '--input', '1-2', '--base', '1'], based.io)).toBe(0);
    expect(rows(based.stdout)).toEqual([
      ['1', '0x0001', '1'],
      ['2', '0x0002', '2'],
    ]);
  });

  it('reads strings and coils', async () => {
    const text = capture();
    expect(await runProbe([`tcp://127.0.0.1:${server.port}`, '--holding', '4-7', '--type', 'string'], text.io)).toBe(0);
    expect(rows(text.stdout)).toEqual([['4', '0x4C53 0x2D53 0x494D 0x2D31', '"LS-SIM-1"']]);
    const coils = capture();
    expect(await runProbe([`tcp://127.0.0.1:${server.port}`, '--coils', '0-2'], coils.io)).toBe(0);
    expect(rows(coils.stdout)).toEqual([
      ['0', '1', 'true'],
      ['1', '0', 'false'],
      ['2', '1', 'true'],
    ]);
  });

  it('--order all shows each value in all four orders, the known one in its own column', async () => {
    const url = `tcp://127.0.0.1:${server.port}`;
    const float = capture();
    const before = server.requests.length;
    expect(await runProbe([url, '--holding', '100-103', '--type', 'float32', '--order', 'all'], float.io)).toBe(0);
    expect(float.stdout).toMatch(/unit 1: read holding 100\.\.103 as float32 in all four orders\n/);
    // Four tags per address overlap: still one request for the four registers.
    expect(server.requests.slice(before).map((r) => [r.start, r.count])).toEqual([[100, 4]]);
    expect(float.stdout.split('\n')[1]?.split(/\s{2,}/)).toEqual(['address', 'raw', 'ABCD', 'CDAB', 'BADC', 'DCBA']);
    const [first] = rows(float.stdout);
    expect(first).toEqual(['100', '0x42F6 0xE979', '123.456', '-1.8833671e+25', '-9.8611155e+32', '1.5184998e+35']);

    const int = capture();
    expect(await runProbe([url, '--addr', '40103', '--type', 'int32', '--order', 'ALL'], int.io)).toBe(0);
    expect(rows(int.stdout)).toEqual([
      ['40103', '0x5678 0x1234', '1450709556', '305419896', '2018915346', '873625686'],
    ]);

    const wide = capture();
    expect(await runProbe([url, '--holding', '104', '--type', 'float64', '--order', 'all'], wide.io)).toBe(0);
    const row = rows(wide.stdout)[0] ?? [];
    expect(row.slice(0, 2)).toEqual(['104', '0x77BE 0x9F1A 0x2FDD 0x5E40']);
    expect(row[5]).toBe('123.456'); // DCBA
    expect(row.slice(2, 5)).not.toContain('123.456');
    expect(wide.stderr).toBe('');
  });

  it('--help explains every order in one line', async () => {
    const out = capture();
    expect(await runProbe(['--help'], out.io)).toBe(0);
    for (const line of [
      /ABCD {2}0x42F6 0xE979 {2}big-endian/,
      /CDAB {2}0xE979 0x42F6 {2}low word first/,
      /BADC {2}0xF642 0x79E9 {2}.*byte swap/,
      /DCBA {2}0x79E9 0xF642 {2}little-endian/,
      /all {3}every value in all four orders/,
    ]) {
      expect(out.stdout).toMatch(line);
    }
  });

  it('the built `lineside probe --order all` prints the same table, exit 0', async () => {
    const out = await runCli([
      'probe',
      `tcp://127.0.0.1:${server.port}`,
      '--holding',
      '102',
      '--type',
      'int32',
      '--order',
      'all',
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(rows(out.stdout)).toEqual([['102', '0x5678 0x1234', '1450709556', '305419896', '2018915346', '873625686']]);
  });

  it('an exception response is explained, exit 1', async () => {
    const out = capture();
    expect(await runProbe([`tcp://127.0.0.1:${server.port}`, '--holding', '0-20'], out.io)).toBe(1);
    expect(out.stderr).toMatch(
      /^error: MODBUS_EXCEPTION probe tcp:\/\/127\.0\.0\.1:\d+ unit 1: read holding 0\.\.20 answered exception 2 \(illegal data address\)\n/,
    );
    expect(out.stderr).toContain('hint: the device has no such address');
  });

  it('a wrong unit id (nobody answers) is a timeout with a hint to check --unit, exit 1', async () => {
    const out = capture();
    expect(
      await runProbe([`tcp://127.0.0.1:${server.port}`, '--unit', '7', '--holding', '0', '--timeout', '300ms'], out.io),
    ).toBe(1);
    expect(out.stderr).toMatch(
      /^error: MODBUS_TIMEOUT probe tcp:\/\/127\.0\.0\.1:\d+ unit 7: read holding 0\.\.0 after 300ms\n/,
    );
    expect(out.stderr).toContain('check the unit id (--unit)');
  });

  it('an unreachable host is a connect error, exit 1', async () => {
    const port = await freePort(); // nothing listens there
    const out = capture();
    expect(await runProbe([`tcp://127.0.0.1:${port}`, '--holding', '0-9'], out.io)).toBe(1);
    expect(out.stderr).toContain(`error: MODBUS_CONNECT tcp://127.0.0.1:${port}: cannot connect: connect ECONNREFUSED`);
    expect(out.stderr).toContain('hint: is the device powered and on the network');
  });

  it('bad arguments exit 2 with the reason and the usage', async () => {
    const cases: [string[], string][] = [
      [[], 'give the endpoint URL'],
      [['tcp://127.0.0.1'], 'say what to read'],
      [['tcp://127.0.0.1', '--holding', '9-3'], 'runs backwards'],
      [['tcp://127.0.0.1', '--holding', '0', '--type', 'double'], '--type "double"'],
      [['tcp://127.0.0.1', '--coils', '0', '--type', 'float32'], 'coils hold single bits'],
      [['tcp://127.0.0.1', '--addr', '50001'], 'Modicon addresses look like'],
      [['tcp://127.0.0.1', '--holding', '0', '--bogus'], "Unknown option '--bogus'"],
      [['ftp://127.0.0.1', '--holding', '0'], 'unknown scheme'],
      [['tcp://127.0.0.1', '--holding', '0', '--order', 'XYZW'], '--order "XYZW": use ABCD, CDAB, BADC, DCBA or all'],
      [
        ['tcp://127.0.0.1', '--holding', '0', '--order', 'all'],
        '--order all: byte/word orders apply to 32/64-bit types (int32, uint32, float32, int64, uint64, float64): uint16 is one register',
      ],
      [
        ['tcp://127.0.0.1', '--holding', '0-3', '--type', 'string', '--order', 'all'],
        'orders apply to 32/64-bit types',
      ],
      [['tcp://127.0.0.1', '--coils', '0', '--order', 'all'], 'coils are single bits'],
    ];
    for (const [args, message] of cases) {
      const out = capture();
      expect(await runProbe(args, out.io), args.join(' ')).toBe(2);
      expect(out.stderr, args.join(' ')).toContain(message);
      expect(out.stderr).toContain('usage:');
    }
  });
});

describe('reading a configured device', () => {
  let sim: SimulatorHandle;
  const saved = { ...process.env };

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: 'demo',
      clock: new VirtualClock({ startWallMs: Date.UTC(2025, 0, 6, 6) }),
      basePort: 0,
    });
    sim.clock.advance(10 * 60_000);
    process.env.LINESIDE_SIM_PORT_PLC1 = String(sim.ports.plc1);
    process.env.LINESIDE_SIM_PORT_PLC2 = String(sim.ports.plc2);
  });

  afterEach(() => {
    process.env.LINESIDE_SIM_PORT_PLC1 = String(sim.ports.plc1);
  });

  afterAll(async () => {
    await sim.stop();
    for (const key of ['LINESIDE_SIM_PORT_PLC1', 'LINESIDE_SIM_PORT_PLC2']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('reads every configured tag once: name, address, value, unit', async () => {
    const out = capture();
    expect(await runProbe(['-c', 'simulator/scenarios/demo.config.yaml', '--device', 'plc1'], out.io)).toBe(0);
    expect(out.stdout).toMatch(/^plc1 tcp:\/\/127\.0\.0\.1:\d+ unit 1: 21 tags in 3 requests\n/);
    const table = new Map(rows(out.stdout).map((r) => [r[0], r]));
    expect(table.get('identity')?.slice(1, 4)).toEqual([
      'holding 100',
      '0x4C53 0x2D53 0x494D 0x2D31 0x0000 0x0000 0x0000 0x0000',
      '"LS-SIM-1"',
    ]);
    expect(table.get('press_count')?.[3]).toBe(String(sim.line.stations.get('press')!.total));
    expect(table.get('press_vibration')?.[1]).toBe('input 0');
    expect(table.get('press_vibration')?.[4]).toBe('mm/s');
    expect(table.size).toBe(21);
  });

  it('an unknown device exits 2 and suggests the closest id', async () => {
    const out = capture();
    expect(await runProbe(['-c', 'simulator/scenarios/demo.config.yaml', '--device', 'plc3'], out.io)).toBe(2);
    expect(out.stderr).toContain('no device "plc3"');
    expect(out.stderr).toContain('did you mean');
  });

  it("--order with -c exits 2: a config fixes each tag's order", async () => {
    const out = capture();
    expect(
      await runProbe(['-c', 'simulator/scenarios/demo.config.yaml', '--device', 'plc1', '--order', 'all'], out.io),
    ).toBe(2);
    expect(out.stderr).toContain('--order (and --order all) is for ad-hoc reads');
  });

  it('an invalid config exits 2 naming the file', async () => {
    const out = capture();
    expect(await runProbe(['-c', 'no/such/config.yaml', '--device', 'plc1'], out.io)).toBe(2);
    expect(out.stderr).toContain('file not found');
  });
});
