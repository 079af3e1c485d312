/**
 * `lineside simulate` (runSimulateCli) and the determinism of truth files: same seed, identical
 * bytes; another seed, different bytes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulateCli } from '../../../simulator/cli.js';
import { startSimulator } from '../../../simulator/start.js';
import { VirtualClock } from '../../../simulator/time/virtual-clock.js';
import { canConnect, freePort, waitForPort } from '../../helpers/ports.js';
import { closeClient, tcpClient } from './modbus-client.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lineside-simcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      ...(signal !== undefined ? { signal } : {}),
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('arguments and scenario errors', () => {
  it('--help prints the usage and exits 0', async () => {
    const c = io();
    expect(await runSimulateCli(['--help'], c.io)).toBe(0);
    expect(c.stdout()).toContain('--modbus-port');
  });

  it.each([
    [['--seed', '1'], 'missing -s/--scenario'],
    [['-s', 'demo', '--speed', 'fast'], '--speed must be a positive number'],
    [['-s', 'demo', '--duration', '8 hours'], '--duration must be a duration'],
    [['-s', 'demo', '--bogus'], "Unknown option '--bogus'"],
    [['-s', 'demo', '--speed', 'max'], 'needs --duration'],
  ])('%j exits 2 naming the problem', async (args, message) => {
    const c = io();
    expect(await runSimulateCli(args, c.io)).toBe(2);
    expect(c.stderr()).toContain(message);
  });

  it('an invalid scenario exits 2 naming the file, the path and the line', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'name: bad\nline:\n  id: l\n  stations:\n    - { id: a, idealCycleTime: 10s, rejectrate: 0.1 }\n',
    );
    const c = io();
    expect(await runSimulateCli(['-s', file], c.io)).toBe(2);
    expect(c.stderr()).toContain(`${file}: line.stations[0].rejectrate (5:`);
    expect(c.stderr()).toContain('did you mean "rejectRate"');
  });

  it('a port that is taken is a runtime failure (exit 1)', async () => {
    const port = await freePort();
    const holder = await startSimulator({
      scenario: 'steady',
      clock: new VirtualClock({ startWallMs: 0 }),
      ports: { plc1: port, plc2: 0 },
    });
    try {
      const c = io();
      expect(await runSimulateCli(['-s', 'steady', '--modbus-port', String(port)], c.io)).toBe(1);
      expect(c.stderr()).toContain(`127.0.0.1:${port}`);
    } finally {
      await holder.stop();
    }
  });
});

describe('determinism of the truth file', () => {
  const run = async (seed: string, file: string) => {
    const c = io();
    expect(
      await runSimulateCli(['-s', 'demo', '--speed', 'max', '--duration', '1d', '--seed', seed, '--truth', file], c.io),
    ).toBe(0);
    return readFileSync(file);
  };

  it('the same seed writes identical bytes; another seed does not', async () => {
    const a = await run('17', path.join(dir, 'a.jsonl'));
    const b = await run('17', path.join(dir, 'b.jsonl'));
    const c = await run('18', path.join(dir, 'c.jsonl'));
    expect(a.length).toBeGreaterThan(1_000_000);
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(false);
    const lines = a.toString('utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ type: 'run', scenario: 'demo', seed: 17 });
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
      type: 'end',
      endMs: Date.UTC(2025, 0, 5, 23) + 86_400_000,
    });
  });

  it('a run with live PLC servers and a manual clock writes the same bytes as the server-less run', async () => {
    const file = path.join(dir, 'live.jsonl');
    const clock = new VirtualClock({ startWallMs: Date.UTC(2025, 0, 5, 23) });
    const sim = await startSimulator({
      scenario: 'demo',
      seed: 17,
      clock,
      ports: { plc1: await freePort(), plc2: await freePort() },
      truthFile: file,
      durationMs: 86_400_000,
    });
    const client = await tcpClient(sim.ports.plc1 as number);
    for (let h = 0; h < 24; h++) {
      clock.advance(3_600_000);
      await client.readHoldingRegisters(0, 20); // reads must not change the run
    }
    await closeClient(client);
    await sim.stop();
    expect(readFileSync(file).equals(readFileSync(path.join(dir, 'a.jsonl')))).toBe(true);
  });
});

describe('serving the line', () => {
  it('listens where it says, ends at --duration and writes the truth up to it', async () => {
    const truth = path.join(dir, 'served.jsonl');
    const c = io();
    const port = await freePort();
    // 20 simulated minutes at 7200x: about 170 ms of real time.
    const code = await runSimulateCli(
      [
        '-s',
        'steady',
        '--speed',
        '7200',
        '--duration',
        '20m',
        '--modbus-port',
        String(port),
        '--truth',
        truth,
        '--start',
        '2025-01-06T08:00',
      ],
      c.io,
    );
    expect(code).toBe(0);
    expect(c.stdout()).toContain(`plc1 (press, weld): tcp://127.0.0.1:${port} unit 1`);
    expect(c.stdout()).toContain(`plc2 (pack): tcp://127.0.0.1:${port + 1} unit 1`);
    expect(c.stdout()).toContain('stopped (duration reached) after 20m');
    const last = JSON.parse(readFileSync(truth, 'utf8').trimEnd().split('\n').at(-1) as string);
    expect(last).toMatchObject({ type: 'end', end: '2025-01-06T07:20:00.000Z' });
  });

  it('stops cleanly when asked (as on SIGINT) and can be polled meanwhile', async () => {
    const abort = new AbortController();
    const c = io(abort.signal);
    const port = await freePort();
    const done = runSimulateCli(['-s', 'demo', '--modbus-port', String(port)], c.io);
    await waitForPort(port, '127.0.0.1', 10_000);
    const client = await tcpClient(port);
    const { buffer } = await client.readHoldingRegisters(100, 4);
    expect(buffer.toString('latin1')).toBe('LS-SIM-1');
    await closeClient(client);
    abort.abort();
    expect(await done).toBe(0);
    expect(c.stdout()).toContain('stopped (aborted)');
    expect(await canConnect(port)).toBe(false);
  });
});
