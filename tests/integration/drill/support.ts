/**
 * The kill -9 drill's parts: the steady line served by the simulator on a clock the test steps
 * (so the PLC counters can be frozen to read the ground truth), the built agent as a child
 * process against it, a look into the agent's spool (is everything committed acknowledged by the
 * broker?), and the per-station checks of what a recording subscriber received.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadScenarioFile, startSimulator, VirtualClock, type SimulatorHandle } from '../../../simulator/index.js';
import { cliCommand, REPO } from '../../helpers/cli.js';
import type { Received } from '../mqtt/subscriber.js';

export const STATIONS = ['press', 'weld', 'pack'] as const;
export const TOPIC_ROOT = 'lineside/sim/line1';

/** The steady scenario on a manual clock, warmed up five minutes into the early shift (Monday 07:00 Berlin). */
export async function startSteadyLine(): Promise<{ sim: SimulatorHandle; clock: VirtualClock }> {
  const loaded = loadScenarioFile('steady');
  if (!loaded.ok) throw new Error('the steady scenario does not load');
  const clock = new VirtualClock({ startWallMs: Date.parse('2025-01-06T06:55:00+01:00') });
  const sim = await startSimulator({ scenario: loaded.scenario, clock, basePort: 0, seed: 7 });
  clock.advance(5 * 60_000);
  return { sim, clock };
}

/** Parts made so far per station: the PLC part counter minus its start value. */
export function partsMade(sim: SimulatorHandle): Record<string, number> {
  return Object.fromEntries(STATIONS.map((s) => [s, sim.line.stations.get(s)?.total ?? Number.NaN]));
}

/** Steps the simulated clock by `speed` x real time until stopped (the line runs; counters move). */
export function runClock(clock: VirtualClock, speed: number): () => void {
  const stepMs = 20;
  const timer = setInterval(() => clock.advance(speed * stepMs), stepMs);
  return () => clearInterval(timer);
}

/** The steady scenario's own agent config, pointed at this simulator, broker and data dir. */
export function writeDrillConfig(dir: string, sim: SimulatorHandle, brokerUrl: string): string {
  const text = readFileSync(join(REPO, 'simulator/scenarios/steady.config.yaml'), 'utf8');
  const tail = text.indexOf('\nmqtt:\n');
  if (tail < 0) throw new Error('steady.config.yaml changed shape: no top-level mqtt section at the end');
  const config = `${text.slice(0, tail)}
mqtt:
  url: ${brokerUrl}
  clientId: lineside-drill
  protocolVersion: 4
storage:
  dir: ${join(dir, 'data')}
  # Commits every 20 ms, so random kills often land in or right around one.
  commitInterval: 20ms
server:
  enabled: false
logging:
  level: warn
`
    .replace('${LINESIDE_SIM_PORT_PLC1:-15020}', String(sim.ports.plc1))
    .replace('${LINESIDE_SIM_PORT_PLC2:-15021}', String(sim.ports.plc2));
  const file = join(dir, 'drill.yaml');
  writeFileSync(file, config);
  return file;
}

/** `lineside start -c FILE` as the systemd unit runs it (the built CLI). */
export function startAgent(configFile: string, log: string[]): ChildProcess {
  const child = spawn(process.execPath, [...cliCommand(), 'start', '-c', configFile], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    log.push(d.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** True when every event committed to the agent's spool has been acknowledged by the broker. */
export function spoolDrained(dataDir: string): boolean {
  const file = join(dataDir, 'spool.db');
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const cursor =
      (db.prepare("SELECT acked_id AS id FROM cursors WHERE destination = 'mqtt'").get() as { id: number } | undefined)
        ?.id ?? 0;
    const pending = (
      db.prepare("SELECT COUNT(*) AS n FROM rows WHERE kind = 'event' AND id > ?").get(cursor) as { n: number }
    ).n;
    return pending === 0;
  } finally {
    db.close();
  }
}

export interface StationFindings {
  /** eventIds that arrived with two different payloads: must be none. */
  readonly conflictingIds: string[];
  /** Missing seq numbers between the first and the last seen: must be none. */
  readonly seqGaps: number[];
  /** First arrivals whose seq was not above the previous first arrival's: must be none. */
  readonly outOfOrder: number;
  readonly distinctEvents: number;
  readonly cycles: number;
  /** Downtimes that started and neither ended nor are the open one in the last state. */
  readonly dangling: string[];
  readonly duplicates: number;
}

/** What a consumer that de-duplicates on eventId learns about one station. */
export function examineStation(messages: readonly Received[], station: string): StationFindings {
  const prefix = `${TOPIC_ROOT}/${station}/`;
  const payloadById = new Map<string, string>();
  const conflicting = new Set<string>();
  const firstSeqs: number[] = [];
  let cycles = 0;
  let duplicates = 0;
  const started = new Set<string>();
  const ended = new Set<string>();
  let lastState: Record<string, unknown> | undefined;
  for (const m of messages) {
    if (!m.topic.startsWith(prefix) || m.json === undefined) continue;
    const eventId = String(m.json.eventId ?? m.json.id);
    const seen = payloadById.get(eventId);
    if (seen !== undefined) {
      duplicates++;
      if (seen !== m.text) conflicting.add(eventId);
      continue;
    }
    payloadById.set(eventId, m.text);
    firstSeqs.push(Number(m.json.seq));
    const kind = m.topic.slice(prefix.length);
    if (kind === 'cycle') cycles++;
    if (kind === 'state') lastState = m.json;
    if (kind === 'downtime') {
      const id = String(m.json.id);
      if (m.json.phase === 'started') started.add(id);
      if (m.json.phase === 'ended') ended.add(id);
    }
  }
  let outOfOrder = 0;
  for (let i = 1; i < firstSeqs.length; i++) if ((firstSeqs[i] ?? 0) <= (firstSeqs[i - 1] ?? 0)) outOfOrder++;
  const sorted = [...new Set(firstSeqs)].sort((a, b) => a - b);
  const seqGaps: number[] = [];
  for (let i = 1; i < sorted.length; i++)
    for (let s = (sorted[i - 1] ?? 0) + 1; s < (sorted[i] ?? 0); s++) seqGaps.push(s);
  const openNow = lastState?.state === 'down' ? [...started].filter((id) => !ended.has(id)).slice(-1) : [];
  const dangling = [...started].filter((id) => !ended.has(id) && !openNow.includes(id));
  return {
    conflictingIds: [...conflicting],
    seqGaps,
    outOfOrder,
    distinctEvents: payloadById.size,
    cycles,
    dangling,
    duplicates,
  };
}
