/**
 * The harness config's PLC as a test drives the real core with it: every `stepS` seconds of
 * plant time it reads plc1.<station>Count and plc1.<station>Fault of each station, and a station
 * without a fault makes a part every 12 s.
 */
import type { Core } from '../../../../src/core/core.js';
import type { ManualClock } from './harness.js';

export class CountingPlc {
  readonly counts: Record<string, number>;
  readonly faults: Record<string, number>;
  private elapsedS = 0;
  private readonly stepS: number;

  constructor(
    private readonly core: Core,
    private readonly clock: ManualClock,
    opts: { counts?: Record<string, number>; stepS?: number } = {},
  ) {
    this.counts = { ...(opts.counts ?? { press: 1000, weld: 5000, pack: 70 }) };
    this.faults = Object.fromEntries(Object.keys(this.counts).map((id) => [id, 0]));
    this.stepS = opts.stepS ?? 1;
  }

  run(seconds: number): void {
    for (let i = 0; i < seconds; i += this.stepS) {
      this.clock.advance(this.stepS * 1000);
      this.elapsedS += this.stepS;
      for (const id of Object.keys(this.counts)) {
        if (this.faults[id] === 0 && this.elapsedS % 12 === 0) this.counts[id] = (this.counts[id] ?? 0) + 1;
        const at = { ts: this.clock.wallMs(), mono: this.clock.monoMs() };
        this.core.sample({ tag: `plc1.${id}Count`, value: this.counts[id] ?? 0, ...at });
        this.core.sample({ tag: `plc1.${id}Fault`, value: this.faults[id] ?? 0, ...at });
      }
      this.core.tick();
    }
  }
}
