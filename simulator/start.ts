/**
 * startSimulator: the virtual line plus its PLCs on real Modbus TCP/RTU, its GPIO and its truth
 * file, driven by a virtual clock. This is the entry point the Modbus poller's tests, `lineside
 * demo` and `lineside simulate` use; keep its signature stable.
 */
import type { Logger } from 'pino';
import { silentLogger } from '../src/lib/logger.js';
import { createSimLine, scenarioStartWallMs, type SimLine } from './engine/line.js';
import type { VirtualGpio } from './engine/gpio.js';
import { FaultController, type FaultsHandle } from './faults-handle.js';
import { PlcNetwork } from './plc/plc-network.js';
import { formatScenarioIssues, loadScenarioFile } from './scenario-load.js';
import type { Scenario } from './scenario-schema.js';
import { VirtualClock } from './time/virtual-clock.js';
import type { TruthRecord } from './truth/records.js';
import { TruthWriter } from './truth/writer.js';
import { LinesideError } from '../src/lib/errors.js';

export interface StartSimulatorOptions {
  /** A validated scenario, or a file path / bundled name ("demo", "steady", ...). */
  readonly scenario: Scenario | string;
  /** PRNG seed (default: the scenario's seed, else 1). */
  readonly seed?: number;
  /** Virtual ms per real ms when no clock is given: 1 = real time (default), 600 = 10 min/s. */
  readonly speed?: number;
  /** A manual VirtualClock for tests: the line moves only when the test advances it. */
  readonly clock?: VirtualClock;
  /** Bind address of the TCP PLCs (default 127.0.0.1). */
  readonly host?: string;
  /** TCP endpoints listen on basePort, basePort+1, ... in scenario order; 0 = any free port each. */
  readonly basePort?: number;
  /** Per-PLC TCP port overrides (0 = any free port). */
  readonly ports?: Readonly<Record<string, number>>;
  /** Per-PLC serial path overrides for RTU PLCs (e.g. one end of a socat pty pair). */
  readonly serialPaths?: Readonly<Record<string, string>>;
  /** Write the ground truth here (JSONL). */
  readonly truthFile?: string;
  readonly onTruth?: (record: TruthRecord) => void;
  /** Wall time of virtual time 0 (default: the scenario's start, or now for `start: now`). */
  readonly startWallMs?: number;
  /** The line stops advancing at this virtual time; stop() ends the truth there (--duration). */
  readonly durationMs?: number;
  /** Real ms between simulation steps in scaled mode (default 20). */
  readonly tickMs?: number;
  readonly logger?: Logger;
}

export interface SimulatorHandle {
  readonly scenario: Scenario;
  readonly clock: VirtualClock;
  readonly line: SimLine;
  /** PLC id -> bound TCP port (RTU PLCs are absent). */
  readonly ports: Readonly<Record<string, number>>;
  /** PLC id -> "tcp://127.0.0.1:15020 unit 1" or "rtu:///dev/pts/4 unit 2". */
  readonly endpoints: Readonly<Record<string, string>>;
  readonly gpio: VirtualGpio;
  readonly faults: FaultsHandle;
  /**
   * Breaks a station down now, on the simulator's clock (see SimLine.injectBreakdown): the
   * breakdown a browser or drill test waits for, without waiting for the scenario's MTBF.
   */
  breakdown(station: string, faultCode: number, repairMs: number): void;
  /** Requests each PLC has received so far. */
  requests(plc: string): number;
  /** Finishes the truth (closes intervals and shifts, writes the end record), stops every server. */
  stop(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions): Promise<SimulatorHandle> {
  const scenario = resolveScenario(options.scenario);
  const logger = options.logger ?? silentLogger;
  const startWallMs = options.startWallMs ?? options.clock?.startWallMs ?? scenarioStartWallMs(scenario, Date.now());
  const clock = options.clock ?? new VirtualClock({ startWallMs, speed: options.speed ?? 1 });
  const writer = options.truthFile !== undefined ? new TruthWriter(options.truthFile) : undefined;
  const userTruth = options.onTruth;
  const line = createSimLine(scenario, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    startWallMs: clock.startWallMs,
    onTruth: (record) => {
      writer?.write(record);
      userTruth?.(record);
    },
  });

  // Assigned once the network exists; the step function needs it and the network needs the step.
  const faultsRef: { current?: FaultController } = {};
  const endMono = options.durationMs ?? Infinity;
  const step = () => {
    line.advanceTo(Math.min(endMono, clock.monoMs()));
    void faultsRef.current
      ?.expire(clock.monoMs())
      .catch((err: unknown) => logger.warn({ err }, 'simulated fault expiry failed'));
  };
  const network = new PlcNetwork(scenario, line, {
    host: options.host ?? '127.0.0.1',
    ...(options.basePort !== undefined ? { basePort: options.basePort } : {}),
    ...(options.ports !== undefined ? { ports: options.ports } : {}),
    ...(options.serialPaths !== undefined ? { serialPaths: options.serialPaths } : {}),
    beforeRequest: step,
    logger,
  });
  const faults = new FaultController(network, line, () => clock.monoMs());
  faultsRef.current = faults;
  const unsubscribeComms = line.onComms((event) => network.applyScenarioFault(event, logger));
  try {
    await network.start();
  } catch (err) {
    unsubscribeComms();
    writer?.close();
    throw err;
  }

  let timer: NodeJS.Timeout | undefined;
  let unsubscribeClock: (() => void) | undefined;
  if (clock.manual) unsubscribeClock = clock.onAdvance(step);
  else timer = setInterval(step, options.tickMs ?? 20);

  const ports: Record<string, number> = {};
  const endpoints: Record<string, string> = {};
  for (const [id, node] of network.nodes) {
    if (node.tcp !== undefined) ports[id] = node.tcp.port;
    endpoints[id] = network.endpointOf(id);
  }

  let stopping: Promise<void> | undefined;
  return {
    scenario,
    clock,
    line,
    ports,
    endpoints,
    gpio: line.gpio,
    faults,
    breakdown: (station, faultCode, repairMs) => {
      step();
      line.injectBreakdown(station, faultCode, repairMs);
    },
    requests: (plc) => {
      const node = network.node(plc);
      return (node.tcp?.requests ?? node.rtu?.requests)?.get(node.spec.unitId) ?? 0;
    },
    stop: () => {
      stopping ??= (async () => {
        if (timer !== undefined) clearInterval(timer);
        unsubscribeClock?.();
        unsubscribeComms();
        line.finish(Math.min(endMono, Math.max(line.nowMs, clock.monoMs())));
        writer?.close();
        await network.stop();
      })();
      return stopping;
    },
  };
}

function resolveScenario(scenario: Scenario | string): Scenario {
  if (typeof scenario !== 'string') return scenario;
  const loaded = loadScenarioFile(scenario);
  if (!loaded.ok)
    throw new LinesideError('CONFIG_INVALID', `invalid scenario:\n${formatScenarioIssues(loaded)}`, {
      file: loaded.file,
    });
  return loaded.scenario;
}
