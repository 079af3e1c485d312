/**
 * `lineside simulate -s FILE [--seed N] [--speed X|max] [--duration 8h] [--truth out.jsonl]
 * [--modbus-port P] [--host H] [--start ISO|now] [--serial PLC=PATH]`: runs the virtual line alone so
 * external tools (mbpoll, another Modbus master, Node-RED) can poll it.
 * Exit codes: 0 ok (duration reached or stopped by SIGINT/SIGTERM), 2 bad arguments or scenario,
 * 1 runtime failure (e.g. the port is taken).
 */
import { parseArgs } from 'node:util';
import { parseDurationMs, formatDurationMs } from '../src/config/duration.js';
import { errorMessage } from '../src/lib/errors.js';
import { createSimLine, scenarioStartWallMs } from './engine/line.js';
import { formatScenarioIssues, loadScenarioFile } from './scenario-load.js';
import { startSimulator } from './start.js';
import { parseLocalDateTime } from './time/zoned.js';
import type { ShiftRecord, TruthRecord } from './truth/records.js';
import { TruthWriter } from './truth/writer.js';

export interface SimulateIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Stops the run like SIGINT does (tests). */
  readonly signal?: AbortSignal;
}

const USAGE = `usage: lineside simulate -s SCENARIO [options]
  -s, --scenario FILE     scenario YAML, or a bundled one: demo, steady, degrading, flaky-comms
      --seed N            PRNG seed, 0..4294967295 (default: the scenario's, else 1)
      --speed X           simulated ms per real ms: 1 = real time (default), 600 = 10 min per second;
                          "max" runs as fast as possible without servers (needs --duration or the
                          scenario's duration) and only writes the truth
      --duration D        stop after this much simulated time, e.g. 8h, 7d
      --truth FILE        write the ground truth as JSON lines
      --modbus-port P     TCP PLCs listen on P, P+1, ... (0 = any free port; default: the scenario's ports)
      --host H            bind address (default 127.0.0.1; 0.0.0.0 for other machines)
      --start T           wall time of the run start: "now", "2025-01-06T06:00" (scenario zone) or ISO
      --serial PLC=PATH   serial port of an RTU PLC (repeatable)
  -h, --help
`;

interface Parsed {
  scenario: string;
  seed?: number;
  speed: number | 'max';
  durationMs?: number;
  truth?: string;
  basePort?: number;
  host: string;
  start?: string;
  serialPaths: Record<string, string>;
}

function parse(argv: string[]): Parsed | { error: string } | { help: true } {
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
        serial: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { error: errorMessage(err) };
  }
  if (values.help === true) return { help: true };
  if (values.scenario === undefined) return { error: 'missing -s/--scenario' };
  const out: Parsed = { scenario: values.scenario, speed: 1, host: values.host ?? '127.0.0.1', serialPaths: {} };
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || seed > 4294967295) return { error: `--seed must be an integer 0..4294967295, got "${values.seed}"` };
    out.seed = seed;
  }
  if (values.speed !== undefined) {
    const speed = Number(values.speed);
    if (values.speed === 'max') out.speed = 'max';
    else if (!(speed > 0 && Number.isFinite(speed))) return { error: `--speed must be a positive number or "max", got "${values.speed}"` };
    else out.speed = speed;
  }
  if (values.duration !== undefined) {
    const ms = parseDurationMs(values.duration);
    if (ms === undefined || ms <= 0) return { error: `--duration must be a duration such as 30m, 8h or 7d, got "${values.duration}"` };
    out.durationMs = ms;
  }
  if (values.truth !== undefined) out.truth = values.truth;
  if (values['modbus-port'] !== undefined) {
    const port = Number(values['modbus-port']);
    if (!/^\d+$/.test(values['modbus-port']) || port > 65535) return { error: `--modbus-port must be 0..65535, got "${values['modbus-port']}"` };
    out.basePort = port;
  }
  if (values.start !== undefined) out.start = values.start;
  for (const item of values.serial ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) return { error: `--serial takes PLC=PATH, got "${item}"` };
    out.serialPaths[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

function shiftLine(r: ShiftRecord): string {
  const l = r.line;
  return `shift ${r.key}${r.partial ? ' (partial)' : ''}: ${l.outputStation} ${l.counts.good} good / ${l.counts.total} (target ${Math.round(l.target)}), A ${pct(l.availability)} P ${pct(l.performance)} Q ${pct(l.quality)} OEE ${pct(l.oee)}\n`;
}

export async function runSimulateCli(argv: string[], io: SimulateIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const args = parse(argv);
  if ('help' in args) {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in args) {
    io.stderr.write(`lineside simulate: ${args.error}\n${USAGE}`);
    return 2;
  }
  const loaded = loadScenarioFile(args.scenario);
  if (!loaded.ok) {
    io.stderr.write(`lineside simulate: invalid scenario\n${formatScenarioIssues(loaded)}\n`);
    return 2;
  }
  const scenario = loaded.scenario;
  let startWallMs: number | undefined;
  if (args.start !== undefined) {
    startWallMs = args.start === 'now' ? Date.now() : parseLocalDateTime(args.start, scenario.shifts.timezone);
    if (startWallMs === undefined) {
      io.stderr.write(`lineside simulate: --start must be "now", a local date-time such as 2025-01-06T06:00 or an ISO instant, got "${args.start}"\n`);
      return 2;
    }
  }
  const durationMs = args.durationMs ?? scenario.duration;
  const onTruth = (r: TruthRecord) => {
    if (r.type === 'shift') io.stdout.write(shiftLine(r));
  };

  if (args.speed === 'max') {
    if (durationMs === undefined) {
      io.stderr.write('lineside simulate: --speed max needs --duration (or a duration in the scenario)\n');
      return 2;
    }
    let writer: TruthWriter | undefined;
    try {
      writer = args.truth !== undefined ? new TruthWriter(args.truth) : undefined;
      const line = createSimLine(scenario, {
        ...(args.seed !== undefined ? { seed: args.seed } : {}),
        startWallMs: startWallMs ?? scenarioStartWallMs(scenario, Date.now()),
        onTruth: (r) => {
          writer?.write(r);
          onTruth(r);
        },
      });
      line.finish(durationMs);
      writer?.close();
      io.stdout.write(`simulated ${formatDurationMs(durationMs)} of "${scenario.name}" (seed ${line.seed})${args.truth !== undefined ? `; truth: ${args.truth} (${writer?.records} records)` : ''}\n`);
      return 0;
    } catch (err) {
      writer?.close();
      io.stderr.write(`lineside simulate: ${errorMessage(err)}\n`);
      return 1;
    }
  }

  let handle;
  try {
    handle = await startSimulator({
      scenario,
      speed: args.speed,
      host: args.host,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.basePort !== undefined ? { basePort: args.basePort } : {}),
      ...(args.truth !== undefined ? { truthFile: args.truth } : {}),
      ...(startWallMs !== undefined ? { startWallMs } : {}),
      serialPaths: args.serialPaths,
      ...(durationMs !== undefined ? { durationMs } : {}),
      onTruth,
    });
  } catch (err) {
    io.stderr.write(`lineside simulate: ${errorMessage(err)}\n`);
    return 1;
  }
  io.stdout.write(`simulating "${scenario.name}" (seed ${handle.line.seed}) at ${args.speed}x from ${new Date(handle.clock.startWallMs).toISOString()}${durationMs !== undefined ? ` for ${formatDurationMs(durationMs)}` : ''}\n`);
  for (const plc of scenario.plcs) {
    const stations = new Set(plc.registers.flatMap((r) => (r.signal?.includes('.') ? [r.signal.split('.')[0] as string] : [])));
    io.stdout.write(`  ${plc.id} (${[...stations].join(', ') || 'no stations'}): ${handle.endpoints[plc.id]}\n`);
  }
  const firstTcp = scenario.plcs.find((p) => handle.ports[p.id] !== undefined);
  if (firstTcp !== undefined) {
    io.stdout.write(`  try: mbpoll -m tcp -a ${firstTcp.unitId} -r 1 -c 10 -p ${handle.ports[firstTcp.id]} ${args.host === '0.0.0.0' ? '127.0.0.1' : args.host}\n`);
  }
  for (const pin of handle.gpio.pins()) io.stdout.write(`  gpio pin ${pin}: virtual part sensor\n`);

  const reason = await new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => finish(signal);
    const timer = durationMs !== undefined ? setInterval(() => {
      if (handle.clock.monoMs() >= durationMs) finish('duration reached');
    }, 50) : undefined;
    const onAbort = () => finish('aborted');
    function finish(why: string) {
      if (timer !== undefined) clearInterval(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      io.signal?.removeEventListener('abort', onAbort);
      resolve(why);
    }
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (io.signal?.aborted === true) finish('aborted');
    else io.signal?.addEventListener('abort', onAbort);
  });
  try {
    await handle.stop();
  } catch (err) {
    io.stderr.write(`lineside simulate: ${errorMessage(err)}\n`);
    return 1;
  }
  io.stdout.write(`stopped (${reason}) after ${formatDurationMs(Math.round(handle.line.nowMs))} simulated${args.truth !== undefined ? `; truth: ${args.truth}` : ''}\n`);
  return 0;
}
