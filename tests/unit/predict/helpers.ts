/**
 * Helpers for the predictor's unit tests: a one-station config with condition signals, a manual
 * clock, and a feeder that produces the core events (state, cycle, downtime) and samples a
 * running station would, with consistent timestamps.
 */
import { loadConfigText } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import type { AlertEvent, StationState } from '../../../src/core/events.js';
import type { Clock } from '../../../src/core/sample.js';
import {
  createPredictor,
  type Predictor,
  type PredictorCheckpoint,
  type Sensitivity,
} from '../../../src/predict/index.js';

export const T0 = Date.UTC(2025, 0, 6, 6);
export const MIN = 60_000;
export const HOUR = 3_600_000;

export function stationConfig(
  options: { conditions?: string; predict?: string; sensitivity?: Sensitivity; ideal?: string; products?: string } = {},
): LinesideConfig {
  const yaml = `
site: { enterprise: acme, site: plant }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: count, address: 0 }
      - { name: running, address: 1, type: bit, bit: 0 }
      - { name: fault, address: 2 }
      - { name: vib, area: input, address: 0, type: float32 }
      - { name: temp, area: input, address: 2, type: float32 }
      - { name: pressure, area: input, address: 4, type: float32 }
reasons:
  - { id: jam, label: Jam }
  - { id: bearing, label: Bearing }
alerts: { sensitivity: ${options.sensitivity ?? 'medium'} }
${options.products !== undefined ? `products: ${options.products}` : ''}
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: ${options.ideal ?? '10s'}
        signals: { cycleCounter: plc1.count, running: plc1.running, faultCode: plc1.fault }
        faultReasons: { "7": jam, "9": bearing }
        conditions: ${options.conditions ?? '[]'}
        ${options.predict !== undefined ? `predict: ${options.predict}` : ''}
`;
  const result = loadConfigText(yaml, { env: {} });
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return result.config;
}

export class Feeder {
  now = T0;
  seq = 0;
  state: StationState = 'comms_lost';
  readonly alerts: AlertEvent[] = [];
  readonly clock: Clock = { wallMs: () => this.now, monoMs: () => this.now - T0 };
  predictor: Predictor;

  constructor(
    readonly config: LinesideConfig,
    restore?: PredictorCheckpoint,
  ) {
    this.predictor = createPredictor(config, { clock: this.clock, ...(restore !== undefined ? { restore } : {}) });
    this.predictor.on((e) => this.alerts.push(e));
  }

  setState(state: StationState): void {
    this.predictor.onEvent({
      type: 'state',
      id: `press-${++this.seq}`,
      line: 'line1',
      station: 'press',
      seq: this.seq,
      ts: this.now,
      state,
      previous: this.state,
      since: this.now,
    });
    this.state = state;
  }

  cycle(cycleTimeMs: number, product?: string): void {
    this.now += cycleTimeMs;
    this.predictor.onEvent({
      type: 'cycle',
      id: `press-${++this.seq}`,
      line: 'line1',
      station: 'press',
      seq: this.seq,
      ts: this.now,
      cycleTimeMs,
      good: true,
      ...(product !== undefined ? { product } : {}),
    });
  }

  /** The station now runs `product` (undefined: none). */
  product(product: string | undefined): void {
    this.predictor.onEvent({
      type: 'product',
      id: `press-${++this.seq}`,
      line: 'line1',
      station: 'press',
      seq: this.seq,
      ts: this.now,
      source: 'plc',
      ...(product !== undefined ? { product } : {}),
    });
  }

  sample(tag: string, value: number): void {
    this.predictor.onSample({ tag, value, ts: this.now, mono: this.now - T0 });
  }

  downtime(faultCode: number | undefined, reason: string): void {
    this.predictor.onEvent({
      type: 'downtime',
      id: `press-${++this.seq}`,
      line: 'line1',
      station: 'press',
      seq: this.seq,
      ts: this.now,
      phase: 'started',
      downtimeId: `d${this.seq}`,
      start: this.now,
      reason,
      category: 'breakdown',
      ...(faultCode !== undefined ? { faultCode } : {}),
    });
  }

  /** Runs for `ms`, one condition sample per `everyMs` from value(t) (t = ms since this call), ticking each minute. */
  run(
    ms: number,
    samples: { tag: string; value: (tMs: number) => number; everyMs?: number }[] = [],
    cycleMs?: number,
  ): void {
    if (this.state !== 'running') this.setState('running');
    const end = this.now + ms;
    const start = this.now;
    let nextCycle = cycleMs !== undefined ? this.now + cycleMs : Infinity;
    let nextTick = this.now + MIN;
    const step = Math.min(...samples.map((s) => s.everyMs ?? 1000), 1000);
    while (this.now < end) {
      this.now = Math.min(end, this.now + step);
      for (const s of samples)
        if ((this.now - start) % (s.everyMs ?? 1000) === 0) this.sample(s.tag, s.value(this.now - start));
      if (this.now >= nextCycle) {
        this.predictor.onEvent({
          type: 'cycle',
          id: `press-${++this.seq}`,
          line: 'line1',
          station: 'press',
          seq: this.seq,
          ts: this.now,
          cycleTimeMs: cycleMs as number,
          good: true,
        });
        nextCycle += cycleMs as number;
      }
      if (this.now >= nextTick) {
        this.predictor.tick();
        nextTick += MIN;
      }
    }
  }

  /** Deterministic pseudo-noise in [-1, 1] (no Math.random in tests either: runs must repeat). */
  static noise(i: number): number {
    const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
    return 2 * (x - Math.floor(x)) - 1;
  }

  opened(kind?: string): AlertEvent[] {
    const seen = new Set<string>();
    return this.alerts.filter(
      (a) => (kind === undefined || a.kind === kind) && !seen.has(a.alertId) && seen.add(a.alertId) !== undefined,
    );
  }
}

/**
 * Alert evidence as tests read it. `any` on purpose: evidence is a free-form JSON record (each
 * detector has its own fields) and tests dig into nested fields by name.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Evidence = Record<string, any>;
