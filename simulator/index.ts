/**
 * Lineside's simulator: a virtual production line that looks like real hardware over real
 * Modbus TCP/RTU and GPIO, and that knows the truth (simulator/README.md).
 *
 * Entry points:
 * - `loadScenarioFile(path | bundled name)` -> validated scenario or issues with paths.
 * - `createSimLine(scenario, {seed, startWallMs, onTruth})`: the pure simulation, stepped with
 *   `advanceTo(monoMs)`; no sockets, no timers. Same seed, same truth records.
 * - `startSimulator({scenario, seed, speed | clock, host, basePort, ports, serialPaths, truthFile})`
 *   -> `{clock, line, ports, endpoints, gpio, faults, stop()}`: the line plus its PLCs listening.
 * - `runSimulateCli(argv, io)`: `lineside simulate`.
 * - `VirtualClock`: the simulator's time (manual for tests, scaled for demos), a Lineside `Clock`.
 * - `VirtualGpio` (`handle.gpio` / `line.gpio`): `onEdge(pin, (level, monoMs) => ...)`, `read(pin)`,
 *   `pins()`; part-sensor pulses with contact bounce, for the GPIO source's "sim" driver.
 */
export {
  loadScenarioFile,
  loadScenarioText,
  formatScenarioIssues,
  resolveScenarioPath,
  SCENARIO_DIR,
  BUNDLED_SCENARIOS,
  type ScenarioLoadResult,
} from './scenario-load.js';
export type { ScenarioIssue } from './scenario-checks.js';
export {
  ScenarioSchema,
  type Scenario,
  type ScenarioInput,
  type PlcSpec,
  type StationSpec,
} from './scenario-schema.js';
export {
  createSimLine,
  scenarioStartWallMs,
  DEFAULT_START_LOCAL,
  type SimLine,
  type SimLineOptions,
  type CommsEvent,
} from './engine/line.js';
export type { VirtualGpio, EdgeListener, PinLevel } from './engine/gpio.js';
export { VirtualClock, type VirtualClockOptions } from './time/virtual-clock.js';
export { startSimulator, type StartSimulatorOptions, type SimulatorHandle } from './start.js';
export type { FaultsHandle } from './faults-handle.js';
export type { ActiveFault } from './plc/faults.js';
export { TruthWriter } from './truth/writer.js';
export type * from './truth/records.js';
export { encodeWords, type WordOrderName } from './plc/encode.js';
export { testBlockEntries, TEST_BLOCK_SIZE, type FixedEntry } from './plc/test-block.js';
export { compareConfigToScenario } from './config-agreement.js';
export { runSimulateCli } from './cli.js';
export { chooseLiveStart, DEFAULT_WARMUP_MS, type LiveStart, type MovedReason } from './time/live-start.js';
export { formatLocalDateTime } from './time/zoned.js';
export { parseSerialArg, serveOverSerial, type SerialOverride } from './serial-override.js';
