/**
 * `lineside simulate -s FILE [--seed N] [--speed X|max] [--duration 8h] [--truth out.jsonl]
 * [--modbus-port P] [--host H] [--start T|now] [--cold] [--serial PLC=PATH[?baud=...]]`: runs the
 * virtual line alone so external tools (mbpoll, `lineside probe`, Node-RED) can poll it.
 * Arguments and usage: cli-args.ts; where a served run starts: time/live-start.ts.
 * Exit codes: 0 ok (duration reached or stopped by SIGINT/SIGTERM), 2 bad arguments or scenario,
 * 1 runtime failure (e.g. the port is taken, the serial device cannot be opened).
 */
import { formatDurationMs } from '../src/config/duration.js';
import { errorMessage, isLinesideError } from '../src/lib/errors.js';
import { bannerLines } from './cli-banner.js';
import { parseSimulateArgs, USAGE, type SimulateArgs } from './cli-args.js';
import { createSimLine, scenarioStartWallMs } from './engine/line.js';
import { formatScenarioIssues, loadScenarioFile } from './scenario-load.js';
import type { Scenario } from './scenario-schema.js';
import { serveOverSerial } from './serial-override.js';
import { startSimulator } from './start.js';
import { chooseLiveStart, type LiveStart } from './time/live-start.js';
import { VirtualClock } from './time/virtual-clock.js';
import { parseLocalDateTime } from './time/zoned.js';
import type { ShiftRecord, TruthRecord } from './truth/records.js';
import { TruthWriter } from './truth/writer.js';

export interface SimulateIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Stops the run like SIGINT does (tests). */
  readonly signal?: AbortSignal;
}

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

function shiftLine(r: ShiftRecord): string {
  const l = r.line;
  return `shift ${r.key}${r.partial ? ' (partial)' : ''}: ${l.outputStation} ${l.counts.good} good / ${l.counts.total} (target ${Math.round(l.target)}), A ${pct(l.availability)} P ${pct(l.performance)} Q ${pct(l.quality)} OEE ${pct(l.oee)}\n`;
}

export async function runSimulateCli(
  argv: string[],
  io: SimulateIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const args = parseSimulateArgs(argv);
  if ('help' in args) {
    io.stdout.write(USAGE);
    return 0;
  }
  const fail = (message: string) => {
    io.stderr.write(`lineside simulate: ${message}\n`);
    return 2;
  };
  if ('error' in args) return fail(`${args.error}\n${USAGE.trimEnd()}`);
  const loaded = loadScenarioFile(args.scenario);
  if (!loaded.ok) return fail(`invalid scenario\n${formatScenarioIssues(loaded)}`);
  let scenario: Scenario = loaded.scenario;
  if (args.serial.length > 0) {
    // Silently ignoring --serial is how a commissioning engineer loses an afternoon.
    if (args.speed === 'max')
      return fail('--serial serves PLCs, but --speed max runs without servers; drop one of them');
    const moved = serveOverSerial(scenario, args.serial);
    if (!moved.ok) return fail(moved.message);
    scenario = moved.value;
  }
  let startMs: number | undefined;
  if (args.start !== undefined) {
    startMs = args.start === 'now' ? Date.now() : parseLocalDateTime(args.start, scenario.shifts.timezone);
    if (startMs === undefined)
      return fail(
        `--start must be "now", a local date-time such as 2025-01-06T06:00 or an ISO instant, got "${args.start}"`,
      );
  }
  const durationMs = args.durationMs ?? scenario.duration;
  const onTruth = (r: TruthRecord) => {
    if (r.type === 'shift') io.stdout.write(shiftLine(r));
  };
  if (args.speed === 'max') {
    if (durationMs === undefined) return fail('--speed max needs --duration (or a duration in the scenario)');
    // Truth-only runs start exactly where asked, by default at the scenario's fixed start: the
    // same seed must give the same bytes tomorrow, so "now" is never the default here.
    return runFlatOut(scenario, args, startMs ?? scenarioStartWallMs(scenario, Date.now()), durationMs, onTruth, io);
  }
  return serve(scenario, { ...args, speed: args.speed }, startMs, durationMs, onTruth, io);
}

function runFlatOut(
  scenario: Scenario,
  args: SimulateArgs,
  startWallMs: number,
  durationMs: number,
  onTruth: (r: TruthRecord) => void,
  io: SimulateIo,
): number {
  let writer: TruthWriter | undefined;
  try {
    writer = args.truth !== undefined ? new TruthWriter(args.truth) : undefined;
    const line = createSimLine(scenario, {
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      startWallMs,
      onTruth: (r) => {
        writer?.write(r);
        onTruth(r);
      },
    });
    line.finish(durationMs);
    writer?.close();
    io.stdout.write(
      `simulated ${formatDurationMs(durationMs)} of "${scenario.name}" (seed ${line.seed})${args.truth !== undefined ? `; truth: ${args.truth} (${writer?.records} records)` : ''}\n`,
    );
    return 0;
  } catch (err) {
    writer?.close();
    io.stderr.write(`lineside simulate: ${errorMessage(err)}\n`);
    return 1;
  }
}

/** The plant time a served run is asked to start at: --start, else the scenario's start, else now. */
function requestedStart(
  scenario: Scenario,
  startMs: number | undefined,
  startArg: string | undefined,
): { ms: number; now: boolean } {
  if (startMs !== undefined) return { ms: startMs, now: startArg === 'now' };
  if (scenario.start !== undefined && scenario.start !== 'now')
    return { ms: scenarioStartWallMs(scenario), now: false };
  return { ms: Date.now(), now: true };
}

async function serve(
  scenario: Scenario,
  args: SimulateArgs & { speed: number },
  startMs: number | undefined,
  durationMs: number | undefined,
  onTruth: (r: TruthRecord) => void,
  io: SimulateIo,
): Promise<number> {
  const requested = requestedStart(scenario, startMs, args.start);
  const live: LiveStart = args.cold
    ? { runStartMs: requested.ms, servedMs: requested.ms, warmupMs: 0, requestedMs: requested.ms, noProduction: false }
    : chooseLiveStart(scenario, requested.ms);
  // The clock starts at the end of the warm-up: the first step fast-forwards the line through it.
  const clock = new VirtualClock({ startWallMs: live.runStartMs, speed: args.speed, startMonoMs: live.warmupMs });
  const endMono = durationMs !== undefined ? live.warmupMs + durationMs : undefined;
  let handle;
  try {
    handle = await startSimulator({
      scenario,
      clock,
      host: args.host,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.basePort !== undefined ? { basePort: args.basePort } : {}),
      ...(args.truth !== undefined ? { truthFile: args.truth } : {}),
      ...(endMono !== undefined ? { durationMs: endMono } : {}),
      onTruth,
    });
  } catch (err) {
    const hint =
      isLinesideError(err) && err.code === 'SERIAL_OPEN'
        ? ' (is the device there? a virtual pair: socat -d -d pty,raw,echo=0,link=/tmp/ttyV0 pty,raw,echo=0,link=/tmp/ttyV1)'
        : '';
    io.stderr.write(`lineside simulate: ${errorMessage(err)}${hint}\n`);
    return 1;
  }
  const banner = bannerLines({
    scenario,
    handle,
    live,
    speed: args.speed,
    host: args.host,
    requestedNow: requested.now,
    cold: args.cold,
    ...(durationMs !== undefined ? { durationMs } : {}),
  });
  io.stdout.write(`${banner.join('\n')}\n`);

  const reason = await new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => finish(signal);
    const timer =
      endMono !== undefined
        ? setInterval(() => {
            if (clock.monoMs() >= endMono) finish('duration reached');
          }, 50)
        : undefined;
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
  const served = Math.max(0, Math.round(handle.line.nowMs - live.warmupMs));
  io.stdout.write(
    `stopped (${reason}) after ${formatDurationMs(served)} simulated${live.warmupMs > 0 ? ` (plus ${formatDurationMs(live.warmupMs)} warm-up)` : ''}${args.truth !== undefined ? `; truth: ${args.truth}` : ''}\n`,
  );
  return 0;
}
