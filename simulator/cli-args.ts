/** `lineside simulate` arguments: the usage text and its parser (no I/O, no scenario yet). */
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../src/config/duration.js';
import { errorMessage } from '../src/lib/errors.js';
import { parseSerialArg, type SerialOverride } from './serial-override.js';

export const USAGE = `usage: lineside simulate -s SCENARIO [options]
  -s, --scenario FILE     scenario YAML, or a bundled one: demo, steady, degrading, degrading-rough, flaky-comms
      --seed N            PRNG seed, 0..4294967295 (default: the scenario's, else 1)
      --speed X           simulated ms per real ms: 1 = real time (default), 600 = 10 min per second;
                          "max" runs as fast as possible without servers (needs --duration or the
                          scenario's duration) and only writes the truth
      --duration D        stop after this much simulated time, e.g. 8h, 7d
      --truth FILE        write the ground truth as JSON lines
      --modbus-port P     TCP PLCs listen on P, P+1, ... (0 = any free port; default: the scenario's ports)
      --host H            bind address (default 127.0.0.1; 0.0.0.0 for other machines)
      --start T           plant time to serve from: "now", "2025-01-06T06:00" (scenario zone) or ISO.
                          Default: the scenario's start, else now. When the line would be idle
                          there (off shift, a break, or production ending within 5 min) it starts
                          at the next production instead, and it always runs 5 simulated minutes
                          of warm-up first, so counters are non-zero and moving at once; the
                          banner says which plant time is served. With --speed max the run starts
                          exactly at T (default: the scenario's start, else Mon 2025-01-06 00:00)
      --cold              serve exactly from the start time, counters from 0, idle time not skipped
      --serial PLC=PATH[?baud=9600&parity=none&databits=8&stopbits=1]
                          serve that PLC over Modbus RTU on a serial device instead of TCP, same
                          unit id and registers (e.g. one end of a socat pty pair); repeatable
  -h, --help
`;

export interface SimulateArgs {
  readonly scenario: string;
  readonly seed?: number;
  readonly speed: number | 'max';
  readonly durationMs?: number;
  readonly truth?: string;
  readonly basePort?: number;
  readonly host: string;
  readonly start?: string;
  readonly cold: boolean;
  readonly serial: readonly SerialOverride[];
}

export function parseSimulateArgs(argv: string[]): SimulateArgs | { error: string } | { help: true } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string', short: 's' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        duration: { type: 'string' },
        truth: { type: 'string' },
        'modbus-port': { type: 'string' },
        host: { type: 'string' },
        start: { type: 'string' },
        cold: { type: 'boolean' },
        serial: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { error: errorMessage(err) };
  }
  if (values.help === true) return { help: true };
  if (values.scenario === undefined) return { error: 'missing -s/--scenario' };
  const out: { -readonly [K in keyof SimulateArgs]: SimulateArgs[K] } = {
    scenario: values.scenario,
    speed: 1,
    host: values.host ?? '127.0.0.1',
    cold: values.cold === true,
    serial: [],
  };
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || seed > 4294967295)
      return { error: `--seed must be an integer 0..4294967295, got "${values.seed}"` };
    out.seed = seed;
  }
  if (values.speed !== undefined) {
    const speed = Number(values.speed);
    if (values.speed === 'max') out.speed = 'max';
    else if (!(speed > 0 && Number.isFinite(speed)))
      return { error: `--speed must be a positive number or "max", got "${values.speed}"` };
    else out.speed = speed;
  }
  if (values.duration !== undefined) {
    const ms = parseDurationMs(values.duration);
    if (ms === undefined || ms <= 0)
      return { error: `--duration must be a duration such as 30m, 8h or 7d, got "${values.duration}"` };
    out.durationMs = ms;
  }
  if (values.truth !== undefined) out.truth = values.truth;
  if (values['modbus-port'] !== undefined) {
    const port = Number(values['modbus-port']);
    if (!/^\d+$/.test(values['modbus-port']) || port > 65535)
      return { error: `--modbus-port must be 0..65535, got "${values['modbus-port']}"` };
    out.basePort = port;
  }
  if (values.start !== undefined) out.start = values.start;
  const serial: SerialOverride[] = [];
  for (const item of values.serial ?? []) {
    const parsed = parseSerialArg(item);
    if (!parsed.ok) return { error: parsed.message };
    serial.push(parsed.value);
  }
  out.serial = serial;
  return out;
}
