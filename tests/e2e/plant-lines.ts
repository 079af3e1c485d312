/**
 * A small plant for tests: N lines, each the steady scenario served by its own simulator (its own
 * seed) and read by its own built agent (`lineside start -c`, the systemd unit's command) that
 * publishes to one broker under its own line id and agent id, with its dashboard on a free port.
 * The agents keep the machine's real clock; their shift calendar is made of two-minute shifts
 * around now (the scenario's weekday shifts would leave a weekend run with none).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile, startSimulator, VirtualClock, type SimulatorHandle } from '../../simulator/index.js';
import { REPO } from '../helpers/cli.js';
import { startAgent } from '../integration/drill/support.js';
import { freePort } from '../helpers/ports.js';

export { kill9 } from '../integration/drill/support.js';

export interface LineAgent {
  readonly line: string;
  readonly agentId: string;
  readonly httpUrl: string;
  readonly sim: SimulatorHandle;
  child: ChildProcess;
  readonly log: string[];
}

export interface PlantLines {
  readonly lines: readonly LineAgent[];
  /** The shifts the agents run: name, start and end (wall ms). */
  readonly shifts: readonly { readonly name: string; readonly start: number; readonly end: number }[];
  stop(): Promise<void>;
}

const MIN = 60_000;

function hhmm(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** Shifts of two minutes from the current minute on (UTC), every day. */
function shortShifts(now: number, count: number): { name: string; start: number; end: number }[] {
  const first = Math.floor(now / MIN) * MIN;
  return Array.from({ length: count }, (_, i) => ({
    name: `s${i + 1}`,
    start: first + i * 2 * MIN,
    end: first + (i + 1) * 2 * MIN,
  }));
}

function agentConfig(
  dir: string,
  sim: SimulatorHandle,
  opts: {
    line: string;
    agentId: string;
    brokerUrl: string;
    httpPort: number;
    shifts: ReturnType<typeof shortShifts>;
    oeeInterval: string;
  },
): string {
  const text = readFileSync(join(REPO, 'simulator/scenarios/steady.config.yaml'), 'utf8');
  const shiftsAt = text.indexOf('\nshifts:\n');
  const linesAt = text.indexOf('\nlines:\n');
  const mqttAt = text.indexOf('\nmqtt:\n');
  if (shiftsAt < 0 || linesAt < shiftsAt || mqttAt < linesAt)
    throw new Error('steady.config.yaml changed shape: shifts, lines, mqtt expected in that order');
  const shifts = opts.shifts.map((s) => `    - { name: ${s.name}, start: "${hhmm(s.start)}", end: "${hhmm(s.end)}" }`);
  const config = `${text.slice(0, shiftsAt)}
shifts:
  timezone: UTC
  shifts:
${shifts.join('\n')}
${text
  .slice(linesAt, mqttAt)
  .replace('  - id: line1\n    name: Press - weld - pack', `  - id: ${opts.line}\n    name: Line ${opts.line}`)}
mqtt:
  url: ${opts.brokerUrl}
  protocolVersion: 4
storage:
  dir: ${join(dir, 'data')}
  commitInterval: 50ms
server:
  host: 127.0.0.1
  port: ${opts.httpPort}
logging:
  level: warn
`
    .replace('agent: { id: steady }', `agent: { id: ${opts.agentId}, oeeInterval: ${opts.oeeInterval} }`)
    .replace('${LINESIDE_SIM_PORT_PLC1:-15020}', String(sim.ports.plc1))
    .replace('${LINESIDE_SIM_PORT_PLC2:-15021}', String(sim.ports.plc2));
  if (!config.includes(`id: ${opts.line}`)) throw new Error('steady.config.yaml changed shape: no line1');
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, config);
  return file;
}

function stopGracefully(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `count` lines ("line1", "line2", ...; agents "line1-pi", ...) publishing to `brokerUrl`.
 * Each simulator runs at `speed` x real time on its own clock, its seed the line's number.
 */
export async function startPlantLines(
  dir: string,
  brokerUrl: string,
  count: number,
  speed = 1,
  opts: { oeeInterval?: string } = {},
): Promise<PlantLines> {
  const loaded = loadScenarioFile('steady');
  if (!loaded.ok) throw new Error('the steady scenario does not load');
  const shifts = shortShifts(Date.now(), 6);
  const lines: LineAgent[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let i = 1; i <= count; i++) {
    const clock = new VirtualClock({ startWallMs: Date.parse('2025-01-06T06:55:00+01:00') });
    const sim = await startSimulator({ scenario: loaded.scenario, clock, basePort: 0, seed: i });
    clock.advance(5 * MIN);
    timers.push(setInterval(() => clock.advance(speed * 20), 20));
    const lineDir = join(dir, `line${i}`);
    mkdirSync(lineDir, { recursive: true });
    const httpPort = await freePort();
    const line = `line${i}`;
    const agentId = `${line}-pi`;
    const file = agentConfig(lineDir, sim, {
      line,
      agentId,
      brokerUrl,
      httpPort,
      shifts,
      oeeInterval: opts.oeeInterval ?? '1s',
    });
    const log: string[] = [];
    lines.push({
      line,
      agentId,
      httpUrl: `http://127.0.0.1:${httpPort}`,
      sim,
      child: startAgent(file, log),
      log,
    });
  }
  return {
    lines,
    shifts,
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all(lines.map((l) => stopGracefully(l.child)));
      for (const l of lines) await l.sim.stop();
    },
  };
}
