/**
 * Comms faults of the virtual PLCs, from the scenario (flaky-comms) or injected by tests through
 * the simulator handle. Durations are virtual time (the simulator clock), so a scenario's "silent
 * for 30 s" lasts 30 simulated seconds at any speed; a reply delay is real time, because it must
 * outlast the client's real timeout.
 */
import type { CommsKind } from '../truth/records.js';

export interface ActiveFault {
  readonly kind: Exclude<CommsKind, 'drop' | 'restart'>;
  /** Virtual ms at which it ends by itself; undefined: until cleared. */
  readonly untilMono: number | undefined;
  readonly delayMs?: number;
  readonly exceptionCode?: number;
  readonly origin: 'scenario' | 'injected';
}

/** What a request to this PLC gets right now. */
export type Disposition =
  | { readonly kind: 'answer' }
  | { readonly kind: 'delay'; readonly delayMs: number }
  | { readonly kind: 'exception'; readonly code: number }
  | { readonly kind: 'silent' };

export class PlcFaultState {
  private faults: ActiveFault[] = [];

  add(fault: ActiveFault): void {
    this.faults.push(fault);
  }

  /** Ends faults of a kind (scenario end events) or all of them. */
  clear(kind?: ActiveFault['kind'], origin?: ActiveFault['origin']): ActiveFault[] {
    const ended = this.faults.filter(
      (f) => (kind === undefined || f.kind === kind) && (origin === undefined || f.origin === origin),
    );
    this.faults = this.faults.filter((f) => !ended.includes(f));
    return ended;
  }

  /** Drops expired faults; returns the ones that ended (a "gone" one means: reopen). */
  expire(nowMono: number): ActiveFault[] {
    const ended = this.faults.filter((f) => f.untilMono !== undefined && f.untilMono <= nowMono);
    if (ended.length > 0) this.faults = this.faults.filter((f) => !ended.includes(f));
    return ended;
  }

  active(): readonly ActiveFault[] {
    return this.faults;
  }

  has(kind: ActiveFault['kind']): boolean {
    return this.faults.some((f) => f.kind === kind);
  }

  /** Silence wins over an exception, which wins over a delay. */
  disposition(): Disposition {
    if (this.has('gone') || this.has('silent')) return { kind: 'silent' };
    const exception = this.faults.find((f) => f.kind === 'exception');
    if (exception !== undefined) return { kind: 'exception', code: exception.exceptionCode ?? 4 };
    const delay = this.faults.find((f) => f.kind === 'delay');
    if (delay !== undefined) return { kind: 'delay', delayMs: delay.delayMs ?? 0 };
    return { kind: 'answer' };
  }
}
