/** The event loop's delay, sampled by Node, as the summary /metrics reports (metrics.ts). */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { SummaryValue } from './metrics-writer.js';

/**
 * Event-loop delay as a summary: p50, p99 and max ("1") since the previous reset (every minute,
 * so old stalls age out), sampled every 10 ms; `_sum`/`_count` carry over resets so they only
 * grow, as Prometheus expects of a summary's sum and count.
 */
export class LoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private resetAtMs: number;
  private carriedCount = 0;
  private carriedSumNs = 0;

  constructor(private readonly monoMs: () => number) {
    this.histogram.enable();
    this.resetAtMs = monoMs();
  }

  /** In seconds; undefined until the first delay is recorded. */
  read(): SummaryValue | undefined {
    const h = this.histogram;
    // mean is NaN while the histogram is empty (just after a reset).
    const sumNs = this.carriedSumNs + (h.count > 0 ? h.mean * h.count : 0);
    const count = this.carriedCount + h.count;
    const figures: SummaryValue | undefined =
      count === 0
        ? undefined
        : {
            quantiles:
              h.count > 0
                ? [
                    ['0.5', h.percentile(50) / 1e9],
                    ['0.99', h.percentile(99) / 1e9],
                    ['1', h.max / 1e9],
                  ]
                : [],
            sum: sumNs / 1e9,
            count,
          };
    const now = this.monoMs();
    if (now - this.resetAtMs >= 60_000) {
      this.carriedCount = count;
      this.carriedSumNs = sumNs;
      h.reset();
      this.resetAtMs = now;
    }
    return figures;
  }

  close(): void {
    this.histogram.disable();
  }
}
