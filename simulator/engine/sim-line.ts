/**
 * The simulated line's public face (line.ts builds it): what it offers the PLC servers, the GPIO,
 * the truth writer and tests, and the options it is created with.
 */
import type { Scenario } from '../scenario-schema.js';
import type { CommsKind, TruthRecord } from '../truth/records.js';
import type { VirtualGpio } from './gpio.js';
import type { SimStation } from './station.js';

/** A comms fault starting or ending, for the PLC servers (from the scenario or injected). */
export interface CommsEvent {
  readonly plc: string;
  readonly kind: CommsKind;
  readonly phase: 'start' | 'end';
  readonly delayMs?: number;
  readonly exceptionCode?: number;
}

export interface SimLineOptions {
  readonly seed?: number;
  /** Wall time of virtual time 0; default from the scenario's `start` (a fixed Monday 00:00). */
  readonly startWallMs?: number;
  /** Receives every truth record in order (e.g. a TruthWriter). */
  readonly onTruth?: (record: TruthRecord) => void;
}

export interface SimLine {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly startWallMs: number;
  readonly gpio: VirtualGpio;
  /** Virtual time the line has been advanced to, ms since the run start. */
  readonly nowMs: number;
  readonly finished: boolean;
  /** Events processed so far (for benchmarks). */
  readonly eventsProcessed: number;
  readonly stations: ReadonlyMap<string, SimStation>;
  advanceTo(monoMs: number): void;
  /** Closes every open interval and shift at `monoMs` (default: now) and writes the end record. */
  finish(monoMs?: number): void;
  /** Current value of a station's condition signal at `monoMs` (default: now). */
  conditionValue(station: string, name: string, monoMs?: number): number;
  onComms(listener: (event: CommsEvent) => void): () => void;
  /**
   * Breaks a station down now (tests, a REPL): its fault register shows `faultCode` until it is
   * repaired `repairMs` later. The reason is the scenario's for that code, else "injected".
   * Throws on an unknown station or one that is stopped already.
   */
  injectBreakdown(station: string, faultCode: number, repairMs: number): void;
  /** Records a comms fault injected from outside the scenario (tests, the faults handle). */
  recordInjectedComms(
    plc: string,
    kind: CommsKind,
    durationMs: number | undefined,
    extra?: { delayMs?: number; exceptionCode?: number },
  ): void;
}
