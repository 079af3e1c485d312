/**
 * A station's signals as last read, with the value coercion a PLC needs: booleans from bits or
 * 0/1 registers, numbers from registers (a boolean counts as 0/1). A value a role cannot use (a
 * string for a running bit, NaN for a fault code) is reported once per role and ignored, so one
 * misconfigured tag cannot flood the log or corrupt the state.
 */
import type { StationSpec } from './bindings.js';
import {
  R_BLOCKED,
  R_CHANGEOVER,
  R_CYCLE_COUNTER,
  R_CYCLE_EDGE,
  R_CYCLE_PULSE,
  R_FAULT,
  R_GOOD,
  R_PLANNED,
  R_REJECT,
  R_RUNNING,
  R_STARVED,
  ROLE_NAMES,
} from './bindings.js';
import { UNASSIGNED } from './downtime.js';
import type { StationCounters } from './station-counters.js';
import type { RawKind } from './station-interval.js';

type Report = (code: string, message: string, context: Record<string, unknown>) => void;

export class StationSignals {
  /** Undefined until read (then treated as running). */
  runningBit: boolean | undefined = undefined;
  faultCode = 0;
  starved = false;
  blocked = false;
  plannedBit = false;
  changeoverBit = false;
  private warned = 0;
  private readonly unknownFaults = new Set<number>();

  constructor(
    private readonly spec: StationSpec,
    private readonly counters: StationCounters,
    private readonly report: Report,
  ) {}

  /** One sample's value for one role. */
  input(role: number, value: number | boolean | string): void {
    switch (role) {
      case R_CYCLE_COUNTER:
      case R_CYCLE_PULSE: {
        const count = this.toNumber(role, value);
        if (!Number.isNaN(count)) this.counters.offerCycleCount(count);
        break;
      }
      case R_CYCLE_EDGE: {
        const bit = this.toBool(role, value);
        if (bit !== undefined) this.counters.offerEdge(bit);
        break;
      }
      case R_GOOD: {
        const count = this.toNumber(role, value);
        if (!Number.isNaN(count)) this.counters.offerGood(count);
        break;
      }
      case R_REJECT: {
        const count = this.toNumber(role, value);
        if (!Number.isNaN(count)) this.counters.offerReject(count);
        break;
      }
      case R_FAULT: {
        const code = this.toNumber(role, value);
        if (!Number.isNaN(code)) this.faultCode = code > 0 ? Math.round(code) : 0;
        break;
      }
      case R_RUNNING:
        this.runningBit = this.toBool(role, value) ?? this.runningBit;
        break;
      case R_STARVED:
        this.starved = this.toBool(role, value) ?? this.starved;
        break;
      case R_BLOCKED:
        this.blocked = this.toBool(role, value) ?? this.blocked;
        break;
      case R_PLANNED:
        this.plannedBit = this.toBool(role, value) ?? this.plannedBit;
        break;
      case R_CHANGEOVER:
        this.changeoverBit = this.toBool(role, value) ?? this.changeoverBit;
        break;
      default:
        break;
    }
  }

  /**
   * The state the signals say below planned stops and changeovers: fault (with its reason),
   * blocked, starved, stopped (a low running bit, or `gapStopped`), else running.
   */
  lowerState(gapStopped: boolean): { kind: RawKind; reason: string | undefined } {
    if (this.faultCode > 0) return { kind: 'down', reason: this.faultReason() };
    if (this.blocked) return { kind: 'blocked', reason: undefined };
    if (this.starved) return { kind: 'starved', reason: undefined };
    return { kind: this.runningBit === false || gapStopped ? 'stop' : 'running', reason: undefined };
  }

  /** The downtime reason of the fault code: from faultReasons, else "unassigned". */
  faultReason(): string {
    const code = this.faultCode;
    const reason = this.spec.faultReasons.get(code);
    if (reason !== undefined) return reason;
    // Once per code: the fault stays set for every poll of the breakdown.
    if (this.unknownFaults.has(code)) return UNASSIGNED;
    if (this.unknownFaults.size < 1_000) this.unknownFaults.add(code);
    this.report(
      'UNKNOWN_FAULT_CODE',
      `station ${this.spec.id}: fault code ${code} is not in faultReasons; its downtime is "unassigned"`,
      {
        station: this.spec.id,
        tag: this.spec.tags.faultCode,
        faultCode: code,
      },
    );
    return UNASSIGNED;
  }

  /** The value as a number, or NaN (reported once) when it is not one. */
  private toNumber(role: number, value: number | boolean | string): number {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return value;
    } else if (typeof value === 'boolean') return value ? 1 : 0;
    this.badValue(role, value);
    return Number.NaN;
  }

  private toBool(role: number, value: number | boolean | string): boolean | undefined {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return value !== 0;
    this.badValue(role, value);
    return undefined;
  }

  private badValue(role: number, value: unknown): void {
    const bit = 1 << role;
    if ((this.warned & bit) !== 0) return;
    this.warned |= bit;
    const name = ROLE_NAMES[role] ?? String(role);
    this.report(
      'BAD_VALUE',
      `station ${this.spec.id}: ${name} tag ${this.spec.tags[name as keyof typeof this.spec.tags] ?? '?'} sent ${JSON.stringify(value)}, which is not usable; ignored (reported once)`,
      {
        station: this.spec.id,
        role: name,
        tag: this.spec.tags[name as keyof typeof this.spec.tags],
        value: String(value),
      },
    );
  }
}
