/**
 * What a simulated station is doing at this instant, and the signals the PLC images and the truth
 * read from it: processing, fault code, starved, blocked, planned stop, cause; plus its
 * processing time and wear. SimStation (station.ts) adds the mechanics that change this state.
 */
import type { ProductSpec } from '../scenario-schema.js';
import type { BreakdownOrigin, Cause } from '../truth/records.js';
import { wearAt, type ActiveEpisode } from './wear.js';

/** The part being processed. */
export interface Part {
  readonly startMono: number;
  readonly processMs: number;
  remainingMs: number;
}

export type Stop =
  | { readonly kind: 'micro'; readonly startMono: number }
  | {
      readonly kind: 'breakdown';
      readonly startMono: number;
      readonly faultCode: number;
      readonly reason: string;
      readonly origin: BreakdownOrigin;
      readonly episode: ActiveEpisode | undefined;
      readonly opSinceRepair: number;
    };

export abstract class StationState {
  protected part: Part | undefined;
  protected holdingFinished = false;
  protected stop: Stop | undefined;
  protected calendarPlanned: string | undefined;
  protected changeover: string | undefined;
  /** A product changeover's setup (productRuns): the station pauses, signalling nothing but its product code. */
  protected setup = false;
  /** The product being made (productRuns), if any. */
  product: ProductSpec | undefined;
  protected processingSince: number | undefined;
  /** Total processing time so far, ms. */
  opMs = 0;
  episode: ActiveEpisode | undefined;
  protected abstract readonly runningBitMode: 'processing' | 'auto';

  /** Processing paused for a reason other than a stop: the calendar, a changeover window, a setup. */
  get planned(): boolean {
    return this.calendarPlanned !== undefined || this.changeover !== undefined || this.setup;
  }

  get processing(): boolean {
    return this.part !== undefined && !this.holdingFinished && this.stop === undefined && !this.planned;
  }

  /** What the PLC's running bit shows (the scenario's `runningBit`). */
  get runningBit(): boolean {
    if (this.runningBitMode === 'processing') return this.processing;
    return this.stop?.kind !== 'breakdown' && !this.planned;
  }

  get faultCode(): number {
    return this.stop?.kind === 'breakdown' ? this.stop.faultCode : 0;
  }

  get starved(): boolean {
    return !this.planned && this.stop === undefined && this.part === undefined && !this.holdingFinished;
  }

  get blocked(): boolean {
    return !this.planned && this.stop === undefined && this.holdingFinished;
  }

  get plannedBit(): boolean {
    return this.changeover !== undefined;
  }

  get cause(): Cause {
    if (this.changeover !== undefined || this.setup) return 'changeover';
    if (this.calendarPlanned !== undefined) return this.calendarPlanned === 'off_shift' ? 'off_shift' : 'break';
    if (this.stop !== undefined) return this.stop.kind === 'micro' ? 'micro_stop' : 'breakdown';
    if (this.holdingFinished) return 'blocked';
    if (this.part === undefined) return 'starved';
    return 'processing';
  }

  /** Episode id while a wear breakdown is being repaired or wear is active. */
  get episodeId(): string | undefined {
    if (this.stop?.kind === 'breakdown') return this.stop.episode?.id;
    return undefined;
  }

  /** Processing time at `mono`, counting the stretch in progress. */
  opMsAt(mono: number): number {
    return this.opMs + (this.processingSince !== undefined ? Math.max(0, mono - this.processingSince) : 0);
  }

  /** Wear 0..1 of the active episode at `mono` (0 without one). */
  wearAt(mono: number): number {
    return this.episode !== undefined ? wearAt(this.episode, this.opMsAt(mono)) : 0;
  }
}
