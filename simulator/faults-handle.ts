/**
 * Comms faults injected from tests (or a REPL) into a running simulator. Durations are virtual
 * ms on the simulator clock (omit them to keep the fault until clear()); a reply delay is real
 * ms. Every injected fault is also written to the truth as a "comms" record with origin
 * "injected". On a TCP endpoint shared by several PLCs, drop and gone affect all of them.
 */
import type { SimLine } from './engine/line.js';
import type { ActiveFault } from './plc/faults.js';
import type { PlcNetwork } from './plc/plc-network.js';

export interface FaultsHandle {
  /** Closes every client connection of the PLC's TCP endpoint now; it keeps listening. */
  drop(plc: string): void;
  /** Holds every reply for `delayMs` real ms (pass the client's timeout to make it time out). */
  delay(plc: string, delayMs: number, durationMs?: number): void;
  /** Answers every request with a Modbus exception (2 illegal address, 6 busy, 0x0B gateway...). */
  exception(plc: string, code: number, durationMs?: number): void;
  /** Accepts requests but never answers. */
  silent(plc: string, durationMs?: number): void;
  /** Closes the listener and every socket; it reopens on the same port when the fault ends. */
  gone(plc: string, durationMs?: number): Promise<void>;
  /** A PLC restart: counters start again from 0, connections drop, away for `downMs` (default 0). */
  restart(plc: string, downMs?: number): Promise<void>;
  /** Ends every injected and scenario fault (of one PLC, or all) and reopens what was gone. */
  clear(plc?: string): Promise<void>;
  active(plc: string): readonly ActiveFault[];
}

export class FaultController implements FaultsHandle {
  constructor(
    private readonly network: PlcNetwork,
    private readonly line: SimLine,
    private readonly nowMono: () => number,
  ) {}

  private until(durationMs: number | undefined): number | undefined {
    return durationMs !== undefined ? this.nowMono() + durationMs : undefined;
  }

  drop(plc: string): void {
    this.network.node(plc).tcp?.dropConnections();
    this.line.recordInjectedComms(plc, 'drop', 0);
  }

  delay(plc: string, delayMs: number, durationMs?: number): void {
    this.network
      .node(plc)
      .faults.add({ kind: 'delay', delayMs, untilMono: this.until(durationMs), origin: 'injected' });
    this.line.recordInjectedComms(plc, 'delay', durationMs, { delayMs });
  }

  exception(plc: string, code: number, durationMs?: number): void {
    if (!(Number.isInteger(code) && code >= 1 && code <= 255))
      throw new RangeError(`Modbus exception code must be 1..255, got ${code}`);
    this.network
      .node(plc)
      .faults.add({ kind: 'exception', exceptionCode: code, untilMono: this.until(durationMs), origin: 'injected' });
    this.line.recordInjectedComms(plc, 'exception', durationMs, { exceptionCode: code });
  }

  silent(plc: string, durationMs?: number): void {
    this.network.node(plc).faults.add({ kind: 'silent', untilMono: this.until(durationMs), origin: 'injected' });
    this.line.recordInjectedComms(plc, 'silent', durationMs);
  }

  async gone(plc: string, durationMs?: number): Promise<void> {
    const node = this.network.node(plc);
    node.faults.add({ kind: 'gone', untilMono: this.until(durationMs), origin: 'injected' });
    this.line.recordInjectedComms(plc, 'gone', durationMs);
    await node.tcp?.goAway();
  }

  async restart(plc: string, downMs = 0): Promise<void> {
    const node = this.network.node(plc);
    node.image.restart();
    this.line.recordInjectedComms(plc, 'restart', downMs);
    if (downMs > 0) {
      node.faults.add({ kind: 'gone', untilMono: this.until(downMs), origin: 'injected' });
      await node.tcp?.goAway();
    } else {
      node.tcp?.dropConnections();
    }
  }

  async clear(plc?: string): Promise<void> {
    const ids = plc !== undefined ? [plc] : [...this.network.nodes.keys()];
    for (const id of ids) {
      const node = this.network.node(id);
      node.faults.clear();
      await node.tcp?.comeBack();
    }
  }

  active(plc: string): readonly ActiveFault[] {
    return this.network.node(plc).faults.active();
  }

  /** Ends faults whose virtual time is up; reopens endpoints whose "gone" ended. */
  async expire(nowMono: number): Promise<void> {
    for (const node of this.network.nodes.values()) {
      const ended = node.faults.expire(nowMono);
      if (ended.some((f) => f.kind === 'gone') && !node.faults.has('gone')) await node.tcp?.comeBack();
    }
  }
}
