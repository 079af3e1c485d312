/**
 * The predictor: core events and condition samples in, alert events out. Pure like the core:
 * time comes from events, samples and the injected clock (tick()); no I/O, no timers.
 *
 * Per station it runs the detectors the config enables (stations[].predict), each feeding one
 * alert per station and kind through the alert book (hysteresis, minimum durations,
 * auto-resolve, acknowledge). Thresholds come from the sensitivity preset (alerts.sensitivity).
 */
import type { LinesideConfig, Station } from '../config/schema.js';
import type { AlertEvent, CoreEvent } from '../core/events.js';
import type { Clock, Sample } from '../core/sample.js';
import { AlertBook, type AcknowledgeResult, type Acknowledgement } from './alert-book.js';
import {
  parsePredictorCheckpoint,
  PREDICTOR_CHECKPOINT_VERSION,
  type PredictorCheckpoint,
  type StationCheckpoint,
} from './checkpoint.js';
import { ConditionDetector, ConditionTracker } from './detectors/condition-trend.js';
import { productIdealsAt } from '../config/schema-products.js';
import { ProductCycleDrift } from './detectors/product-cycle-drift.js';
import { FaultRecurrenceDetector } from './detectors/fault-recurrence.js';
import { MicroStopRateDetector } from './detectors/micro-stop-rate.js';
import { MtbfRiskDetector } from './detectors/mtbf-risk.js';
import { presetFor, type PredictTuning, type Sensitivity } from './presets.js';
import { StationActivity } from './station-activity.js';
import { ALERT_KINDS, type AlertKind } from './types.js';

/** Time-driven detectors (rates, MTBF) are evaluated at most this often per station. */
const TICK_EVALUATION_MS = 60_000;

export interface PredictorDeps {
  readonly clock: Clock;
  /** Overrides config.alerts.sensitivity (the evaluation compares presets). */
  readonly sensitivity?: Sensitivity;
  /** A checkpoint from a previous run: baselines and open alerts carry over. */
  readonly restore?: PredictorCheckpoint;
  /** Told about a checkpoint that could not be used (the agent logs it). */
  readonly onDiagnostic?: (d: { code: string; message: string }) => void;
}

export type AlertListener = (event: AlertEvent) => void;

export interface Predictor {
  /** Core events (cycle, state, downtime; others are ignored). Synchronous, never throws. */
  onEvent(event: CoreEvent): void;
  /** Raw samples: only condition tags matter, the rest return at once. Allocation-free per sample. */
  onSample(sample: Sample): void;
  /** Time-driven checks (micro-stop and fault windows sliding, MTBF risk). Call every 1-10 s. */
  tick(): void;
  /** Operator command: acknowledge an open alert (emits an 'acknowledged' alert event). */
  acknowledge(alertId: string, by?: Acknowledgement): AcknowledgeResult;
  /** Latest event of every open alert (active or acknowledged), for the dashboard and the retained list. */
  active(): AlertEvent[];
  /** Subscribes to alert events (delivered synchronously). Returns unsubscribe. */
  on(listener: AlertListener): () => void;
  /** Baselines, counters and open alerts, JSON-serialisable. */
  checkpoint(): PredictorCheckpoint;
  /**
   * Only the open alerts and their per-station seq: the identity part, small, saved with every
   * batch of events; the baselines (tens of KiB a station) follow less often (withAlerts).
   */
  alertsCheckpoint(): PredictorCheckpoint['alerts'];
  readonly sensitivity: Sensitivity;
}

interface StationPredictor {
  readonly id: string;
  readonly line: string;
  readonly activity: StationActivity;
  readonly cycleDrift?: ProductCycleDrift;
  readonly microStop?: MicroStopRateDetector;
  readonly fault?: FaultRecurrenceDetector;
  readonly condition?: ConditionDetector;
  readonly mtbf?: MtbfRiskDetector;
  nextEvaluation: number;
}

interface ConditionRoute {
  readonly station: StationPredictor;
  readonly tracker: ConditionTracker;
}

export function createPredictor(config: LinesideConfig, deps: PredictorDeps): Predictor {
  return new StreamingPredictor(config, deps);
}

function isAlertKind(kind: string): kind is AlertKind {
  return (ALERT_KINDS as readonly string[]).includes(kind);
}

class StreamingPredictor implements Predictor {
  readonly sensitivity: Sensitivity;
  private readonly tuning: PredictTuning;
  private readonly stations = new Map<string, StationPredictor>();
  private readonly conditionRoutes = new Map<string, ConditionRoute[]>();
  private readonly listeners: AlertListener[] = [];
  private readonly book: AlertBook;
  private readonly products: LinesideConfig['products'];

  constructor(
    config: LinesideConfig,
    private readonly deps: PredictorDeps,
  ) {
    this.sensitivity = deps.sensitivity ?? config.alerts.sensitivity;
    this.tuning = presetFor(this.sensitivity);
    this.book = new AlertBook(this.tuning.timing, (e) => this.emit(e));
    this.products = config.products;
    const enabled = config.alerts.enabled;
    for (const line of config.lines) {
      for (const station of line.stations) {
        const sp = this.buildStation(station, line.id, enabled);
        this.stations.set(station.id, sp);
        this.book.addStation(station.id, line.id);
      }
    }
    if (deps.restore !== undefined) this.restore(deps.restore);
  }

  private buildStation(station: Station, line: string, enabled: boolean): StationPredictor {
    const p = station.predict;
    const t = this.tuning;
    const idealByProduct = productIdealsAt(this.products, station.id);
    const idealOf = (product: string): number => idealByProduct.get(product) ?? station.idealCycleTime;
    const trackers = enabled && p.condition ? station.conditions.map((c) => new ConditionTracker(c, t.condition)) : [];
    const sp: StationPredictor = {
      id: station.id,
      line,
      activity: new StationActivity(),
      ...(enabled && p.cycleDrift ? { cycleDrift: new ProductCycleDrift(t.cycleDrift, idealOf) } : {}),
      ...(enabled && p.microStopRate ? { microStop: new MicroStopRateDetector(t.microStop) } : {}),
      ...(enabled && p.faultRecurrence ? { fault: new FaultRecurrenceDetector(t.fault) } : {}),
      ...(trackers.length > 0 ? { condition: new ConditionDetector(trackers) } : {}),
      ...(enabled && p.mtbfRisk ? { mtbf: new MtbfRiskDetector(t.mtbf) } : {}),
      nextEvaluation: Number.NEGATIVE_INFINITY,
    };
    for (const tracker of trackers) {
      const routes = this.conditionRoutes.get(tracker.signal.tag) ?? [];
      routes.push({ station: sp, tracker });
      this.conditionRoutes.set(tracker.signal.tag, routes);
    }
    return sp;
  }

  private emit(event: AlertEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing consumer must not stop the predictor or the other consumers (contract: listeners do not throw).
      }
    }
  }

  on(listener: AlertListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  onEvent(event: CoreEvent): void {
    if (event.type === 'alert' || event.type === 'oee' || event.station === undefined) return;
    const sp = this.stations.get(event.station);
    if (sp === undefined) return;
    const a = sp.activity;
    switch (event.type) {
      case 'state': {
        a.enter(event.state, event.ts, event.since);
        sp.cycleDrift?.onState(event.state, event.ts);
        if (event.state !== 'running') for (const tr of sp.condition?.trackers ?? []) tr.dropPending();
        if (event.state === 'small_stop') sp.microStop?.onMicroStop(a.runningMs, event.ts);
        else if (event.state === 'down' && event.previous === 'small_stop') sp.microStop?.retractLast();
        return;
      }
      case 'product':
        sp.cycleDrift?.onProduct(event.product);
        return;
      case 'cycle': {
        a.advance(event.ts);
        const verdict = sp.cycleDrift?.onCycle(event);
        if (verdict !== undefined) this.book.process(sp.id, 'cycle_drift', verdict, event.ts);
        return;
      }
      case 'downtime': {
        if (event.phase !== 'started') return;
        a.advance(event.ts);
        // The failure mode: the PLC's fault code, else the reason an operator or the config gave.
        const code =
          event.faultCode !== undefined
            ? String(event.faultCode)
            : event.reason !== 'unassigned'
              ? event.reason
              : undefined;
        if (code === undefined) return;
        if (sp.fault !== undefined) {
          sp.fault.onFault(code, event.reason, a.runningMs, event.ts);
          this.book.process(sp.id, 'fault_recurrence', sp.fault.evaluate(a.runningMs, event.ts), event.ts);
        }
        if (event.category === 'breakdown') sp.mtbf?.onBreakdown(code, event.reason, a.uptimeMs);
        return;
      }
    }
  }

  onSample(sample: Sample): void {
    const routes = this.conditionRoutes.get(sample.tag);
    if (routes === undefined) return;
    const value = sample.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i] as ConditionRoute;
      const a = route.station.activity;
      if (!a.running) continue;
      if (route.tracker.add(value, a.runningAt(sample.ts), sample.ts, a.stateSince)) {
        this.book.process(
          route.station.id,
          'condition_trend',
          (route.station.condition as ConditionDetector).verdict(),
          sample.ts,
        );
      }
    }
  }

  tick(): void {
    const now = this.deps.clock.wallMs();
    for (const sp of this.stations.values()) {
      if (now < sp.nextEvaluation) continue;
      sp.nextEvaluation = now + TICK_EVALUATION_MS;
      const a = sp.activity;
      if (sp.microStop !== undefined)
        this.book.process(sp.id, 'micro_stop_rate', sp.microStop.evaluate(a.runningAt(now), now), now);
      if (sp.fault !== undefined)
        this.book.process(sp.id, 'fault_recurrence', sp.fault.evaluate(a.runningAt(now), now), now);
      if (sp.mtbf !== undefined) this.book.process(sp.id, 'mtbf_risk', sp.mtbf.evaluate(a.uptimeAt(now), now), now);
    }
  }

  acknowledge(alertId: string, by: Acknowledgement = {}): AcknowledgeResult {
    return this.book.acknowledge(alertId, by, this.deps.clock.wallMs());
  }

  active(): AlertEvent[] {
    return this.book.active();
  }

  checkpoint(): PredictorCheckpoint {
    const now = this.deps.clock.wallMs();
    const stations: Record<string, StationCheckpoint> = {};
    for (const sp of this.stations.values()) {
      const a = sp.activity;
      const conditions: Record<string, ReturnType<ConditionTracker['checkpoint']>> = {};
      for (const tr of sp.condition?.trackers ?? []) conditions[tr.signal.tag] = tr.checkpoint();
      stations[sp.id] = {
        activity: { runningMs: a.runningAt(now), uptimeMs: a.uptimeAt(now) },
        ...sp.cycleDrift?.checkpoint(),
        ...(sp.microStop !== undefined ? { microStop: sp.microStop.checkpoint() } : {}),
        ...(sp.fault !== undefined ? { fault: sp.fault.checkpoint(a.runningAt(now)) } : {}),
        ...(sp.mtbf !== undefined ? { mtbf: sp.mtbf.checkpoint(a.uptimeAt(now)) } : {}),
        conditions,
      };
    }
    return {
      version: PREDICTOR_CHECKPOINT_VERSION,
      savedAt: now,
      sensitivity: this.sensitivity,
      stations,
      alerts: this.book.checkpoint(),
    };
  }

  alertsCheckpoint(): PredictorCheckpoint['alerts'] {
    return this.book.checkpoint();
  }

  private restore(raw: unknown): void {
    const parsed = parsePredictorCheckpoint(raw);
    if (!parsed.ok) {
      this.deps.onDiagnostic?.({
        code: 'PREDICT_CHECKPOINT_INVALID',
        message: `predictor checkpoint not usable (${parsed.message}); baselines start from scratch`,
      });
      return;
    }
    const cp = parsed.checkpoint;
    for (const [id, data] of Object.entries(cp.stations)) {
      const sp = this.stations.get(id);
      if (sp === undefined) continue;
      sp.activity.load(data.activity);
      sp.cycleDrift?.restore(data);
      if (data.microStop !== undefined) sp.microStop?.restore(data.microStop);
      if (data.fault !== undefined) sp.fault?.restore(data.fault);
      if (data.mtbf !== undefined) sp.mtbf?.restore(data.mtbf, sp.activity.uptimeMs);
      for (const tr of sp.condition?.trackers ?? []) {
        const c = data.conditions?.[tr.signal.tag];
        if (c !== undefined) tr.restore(c);
      }
    }
    this.book.restore(cp.alerts, isAlertKind);
  }
}
