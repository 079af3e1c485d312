/**
 * What each detector needs to know about a station besides its own signal: its current state and
 * how much time it has spent running. Degradation advances with processing, not with the wall
 * clock, so rates and trends are measured against running time.
 */
import type { StationState } from '../core/events.js';

export class StationActivity {
  state: StationState | undefined;
  /** Wall ms the current state was entered (as reported by the core). */
  stateSince = Number.NaN;
  /** Cumulative time in `running`, ms. */
  runningMs = 0;
  /** Cumulative uptime (running + small stops), ms: the MTBF clock. */
  uptimeMs = 0;
  private lastTs = Number.NaN;

  /** Brings the accumulators forward to `ts` (wall ms) under the current state. */
  advance(ts: number): void {
    if (Number.isNaN(this.lastTs)) {
      this.lastTs = ts;
      return;
    }
    // A wall clock stepping back (NTP) must not subtract time; a jump forward is bounded by what
    // the core reports next (it books long gaps as comms_lost).
    const dt = ts - this.lastTs;
    if (dt <= 0) return;
    if (this.state === 'running') {
      this.runningMs += dt;
      this.uptimeMs += dt;
    } else if (this.state === 'small_stop') {
      this.uptimeMs += dt;
    }
    this.lastTs = ts;
  }

  enter(state: StationState, ts: number, since: number): void {
    this.advance(ts);
    this.state = state;
    this.stateSince = since;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Running time at `ts` (without moving the accumulators). */
  runningAt(ts: number): number {
    if (this.state === 'running' && !Number.isNaN(this.lastTs) && ts > this.lastTs)
      return this.runningMs + (ts - this.lastTs);
    return this.runningMs;
  }

  uptimeAt(ts: number): number {
    if ((this.state === 'running' || this.state === 'small_stop') && !Number.isNaN(this.lastTs) && ts > this.lastTs)
      return this.uptimeMs + (ts - this.lastTs);
    return this.uptimeMs;
  }

  toJSON(): ActivityCheckpoint {
    return { runningMs: this.runningMs, uptimeMs: this.uptimeMs };
  }

  load(cp: ActivityCheckpoint): void {
    this.runningMs = cp.runningMs;
    this.uptimeMs = cp.uptimeMs;
  }
}

export interface ActivityCheckpoint {
  readonly runningMs: number;
  readonly uptimeMs: number;
}
