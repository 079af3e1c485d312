/**
 * Helpers for the core's unit tests: a manual clock, a config from YAML, and a driver that feeds
 * polls (all tags of one read share one monotonic time) and collects events and diagnostics.
 */
import { loadConfigText } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { createCore, type Core, type CoreDiagnostic } from '../../../src/core/core.js';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import type { CoreEvent } from '../../../src/core/events.js';
import type { Clock } from '../../../src/core/sample.js';

/** Monday 2025-01-06 00:00 UTC. */
export const MONDAY_UTC = Date.UTC(2025, 0, 6);

export class ManualClock implements Clock {
  mono = 0;
  /** wall = wallAtZero + mono (+ skew after a simulated NTP jump). */
  constructor(public wallAtZero: number) {}
  wallMs(): number {
    return this.wallAtZero + this.mono;
  }
  monoMs(): number {
    return this.mono;
  }
}

export function config(yaml: string): LinesideConfig {
  const result = loadConfigText(yaml, { env: {} });
  if (!result.ok)
    throw new Error(
      `test config invalid:\n${result.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  return result.config as LinesideConfig;
}

/**
 * A one-station line on plc1: count (uint16), running bit, fault code, reject counter,
 * starved/blocked/planned bits. The station trusts its running bit unless `trustRunningBit: false`:
 * most tests drive states with the bit and leave the counter alone (gap stops under a held bit have
 * their own tests).
 */
export function oneStation(
  options: {
    station?: string;
    shifts?: string;
    running?: boolean;
    trustRunningBit?: boolean;
    extraSignals?: string;
    ideal?: string;
  } = {},
): LinesideConfig {
  const running = options.running ?? true;
  return config(`
site: { enterprise: acme, site: plant }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count, address: 0 }
      - { name: running, address: 1, type: bit, bit: 0 }
      - { name: starved, address: 1, type: bit, bit: 1 }
      - { name: blocked, address: 1, type: bit, bit: 2 }
      - { name: planned, address: 1, type: bit, bit: 3 }
      - { name: fault, address: 2 }
      - { name: reject, address: 3 }
      - { name: count32, address: 4, type: uint32 }
reasons:
  - { id: jam, label: Jam }
  - { id: hydraulic, label: Hydraulic }
  - { id: changeover, label: Changeover, category: setup }
${options.shifts ?? ''}
lines:
  - id: line1
    stations:
      - id: ${options.station ?? 'press'}
        idealCycleTime: ${options.ideal ?? '10s'}
        trustRunningBit: ${running && (options.trustRunningBit ?? true)}
        signals:
          cycleCounter: plc1.count
          ${running ? 'running: plc1.running' : ''}
          faultCode: plc1.fault
          rejectCount: plc1.reject
          starved: plc1.starved
          blocked: plc1.blocked
          plannedStop: plc1.planned
          ${options.extraSignals ?? ''}
        faultReasons: { "7": jam, "8": hydraulic, "9": changeover, "10": jam }
`);
}

export class Driver {
  readonly clock: ManualClock;
  readonly core: Core;
  readonly events: CoreEvent[] = [];
  readonly diagnostics: CoreDiagnostic[] = [];

  constructor(
    readonly cfg: LinesideConfig,
    options: { wallAtZero?: number; restore?: CoreCheckpoint; clock?: ManualClock } = {},
  ) {
    this.clock = options.clock ?? new ManualClock(options.wallAtZero ?? MONDAY_UTC);
    this.core = createCore(cfg, {
      clock: this.clock,
      ...(options.restore !== undefined ? { restore: options.restore } : {}),
      onEvent: (e) => this.events.push(e),
      onDiagnostic: (d) => this.diagnostics.push(d),
    });
  }

  /** One poll at monotonic time `mono` (ms): every tag given is read at that instant. */
  poll(mono: number, values: Record<string, number | boolean | string>): this {
    this.clock.mono = mono;
    for (const [tag, value] of Object.entries(values)) this.core.sample({ tag, value, ts: this.clock.wallMs(), mono });
    return this;
  }

  tick(mono: number): this {
    this.clock.mono = mono;
    this.core.tick();
    return this;
  }

  /** Ticks every `stepMs` from the current time to `mono`. */
  run(mono: number, stepMs = 1000): this {
    for (let t = this.clock.mono + stepMs; t < mono; t += stepMs) this.tick(t);
    return this.tick(mono);
  }

  of<T extends CoreEvent['type']>(type: T): Extract<CoreEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<CoreEvent, { type: T }> => e.type === type);
  }

  states(): string[] {
    return this.of('state').map((e) => `${e.state}${e.reason !== undefined ? `:${e.reason}` : ''}`);
  }
}

export const S = 1000;
export const MIN = 60_000;
export const H = 3_600_000;
