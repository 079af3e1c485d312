/**
 * The start-up window after a changeover (docs/oee.md#scrap-reasons): rejects from the start of a
 * changeover until `goodParts` good parts after it ended, or `duration` after it ended, whichever
 * comes first, are start-up rejects; later ones are production rejects. The first good part, the
 * one that ends a changeover, is the first of `goodParts`. Follows the station's own changeover
 * events, in wall time (a changeover's end is back-dated to when its first good part began).
 */
import type { StationSpec } from './bindings.js';
import type { StationCheckpoint } from './checkpoint.js';
import type { ChangeoverEvent } from './events.js';

export type StartupCheckpoint = NonNullable<StationCheckpoint['startup']>;

export class StationStartup {
  private open = false;
  /** The changeover is over: good parts now count towards goodParts. */
  private ended = false;
  private goodLeft: number | undefined = undefined;
  private untilWall: number | undefined = undefined;

  constructor(private readonly spec: StationSpec) {}

  /** The station's changeover events open the window and start its limits. */
  onChangeover(e: ChangeoverEvent): void {
    const startup = this.spec.startup;
    if (startup === undefined) return;
    if (e.phase === 'started') {
      this.open = true;
      this.ended = false;
      this.goodLeft = startup.goodParts;
      this.untilWall = undefined;
      return;
    }
    if (!this.open) return;
    this.ended = true;
    if (startup.durationMs !== undefined) this.untilWall = (e.end ?? e.ts) + startup.durationMs;
  }

  /** Whether rejects counted at wall time `wall` are start-up rejects. */
  isStartup(wall: number): boolean {
    if (this.open && this.untilWall !== undefined && wall > this.untilWall) this.open = false;
    return this.open;
  }

  /** `good` good parts were counted: after the changeover they use up goodParts. */
  goodCounted(good: number): void {
    if (!this.open || !this.ended || this.goodLeft === undefined || good <= 0) return;
    this.goodLeft -= good;
    if (this.goodLeft <= 0) this.open = false;
  }

  capture(): { startup?: StartupCheckpoint } {
    if (!this.open) return {};
    return {
      startup: {
        ended: this.ended,
        ...(this.goodLeft !== undefined ? { goodLeft: this.goodLeft } : {}),
        ...(this.untilWall !== undefined ? { untilWall: this.untilWall } : {}),
      },
    };
  }

  restore(data: StartupCheckpoint | undefined): void {
    if (data === undefined || this.spec.startup === undefined) return;
    this.open = true;
    this.ended = data.ended;
    this.goodLeft = data.goodLeft;
    this.untilWall = data.untilWall;
  }
}
