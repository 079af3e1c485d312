/**
 * GPIO debounce + glitch filter + pulse counter (pure, src/sources/gpio/debounce.ts).
 *   npx tsx bench/gpio-debounce.ts
 * Prints raw edges per second through the filter, and the count of a 50 Hz part-sensor train
 * (10 ms pulses, with and without contact bounce) over a virtual hour, which must be exact.
 */
import { PulseFilter, type PulseFilterSettings } from '../src/sources/gpio/debounce.js';
import type { Level } from '../src/sources/gpio/driver.js';

const HOUR_PULSES = 50 * 3600;

/** Edges of a 50 Hz train: [monoMs, level] pairs, flat. Bounce adds 4 extra toggles per edge. */
function train(pulses: number, bounce: boolean): Float64Array {
  const perEdge = bounce ? 5 : 1;
  const edges = new Float64Array(pulses * 2 * perEdge * 2);
  let i = 0;
  const put = (t: number, level: Level) => {
    edges[i++] = t;
    edges[i++] = level;
  };
  const burst = (t: number, to: Level) => {
    put(t, to);
    if (!bounce) return;
    const other = (1 - to) as Level;
    put(t + 0.3, other);
    put(t + 0.8, to);
    put(t + 1.1, other);
    put(t + 1.5, to);
  };
  for (let p = 0; p < pulses; p++) {
    const t = 100 + p * 20;
    burst(t, 1);
    burst(t + 10, 0);
  }
  return edges;
}

function run(settings: PulseFilterSettings, edges: Float64Array): { count: number; seconds: number; emitted: number } {
  let emitted = 0;
  const filter = new PulseFilter(settings, 0, 0, () => emitted++);
  const started = process.hrtime.bigint();
  for (let i = 0; i < edges.length; i += 2) filter.push(edges[i + 1] as Level, edges[i] as number);
  filter.flush((edges[edges.length - 2] ?? 0) + 1_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { count: filter.count, seconds, emitted };
}

const settings: PulseFilterSettings = { debounceMs: 3, glitchFilterMs: 2, edge: 'rising', activeLow: false };
const format = (n: number) => Math.round(n).toLocaleString('en-US');

console.log('GPIO pulse filter (debounce 3 ms, glitch filter 2 ms, rising edges)');
for (const bounce of [false, true]) {
  const edges = train(HOUR_PULSES, bounce);
  run(settings, edges); // warm-up
  const best = [run(settings, edges), run(settings, edges), run(settings, edges)].sort(
    (a, b) => a.seconds - b.seconds,
  )[0]!;
  const rawEdges = edges.length / 2;
  const exact = best.count === HOUR_PULSES ? 'exact' : `WRONG (expected ${HOUR_PULSES})`;
  console.log(
    `  50 Hz for a virtual hour, ${bounce ? 'with 4-toggle contact bounce per edge' : 'clean edges'}: ` +
      `${format(rawEdges)} raw edges -> count ${format(best.count)} (${exact}); ` +
      `${(best.seconds * 1000).toFixed(1)} ms, ${format(rawEdges / best.seconds)} edges/s`,
  );
}
