/**
 * Line-level schedules: changeovers from their daily calendar, degradation episodes and comms
 * faults. Each draws from its own named stream so adding one never shifts another's draws.
 */
import { sampleMs } from '../random/distributions.js';
import type { PrngStreams } from '../random/prng.js';
import type { CommsFaultSpec, DegradationSpec, Scenario } from '../scenario-schema.js';
import { dailyWindows } from '../time/calendar.js';
import type { EventQueue } from './event-queue.js';

const DAY_MS = 86_400_000;

/** Calls start/end for every changeover window, generating one day ahead at a time. */
export function scheduleChangeovers(
  scenario: Scenario,
  queue: EventQueue,
  startWallMs: number,
  apply: (stations: readonly string[], name: string, active: boolean) => void,
): void {
  if (scenario.changeovers.length === 0) return;
  const all = scenario.line.stations.map((s) => s.id);
  const generate = (dayIndex: number) => {
    const from = startWallMs + dayIndex * DAY_MS;
    scenario.changeovers.forEach((c) => {
      for (const w of dailyWindows(
        scenario.shifts.timezone,
        { start: c.start, durationMs: c.duration, days: c.days },
        from,
        from + DAY_MS,
      )) {
        const stations = c.stations ?? all;
        queue.schedule(w.startMs - startWallMs, () => apply(stations, c.name, true));
        queue.schedule(w.endMs - startWallMs, () => apply(stations, c.name, false));
      }
    });
    queue.schedule((dayIndex + 1) * DAY_MS, () => generate(dayIndex + 2));
  };
  // Two generators leapfrog: day n is generated at the start of day n - 1, so every day's windows
  // are queued a day ahead and each day is generated exactly once.
  generate(0);
  generate(1);
}

export interface CommsOccurrence {
  readonly spec: CommsFaultSpec;
  readonly index: number;
  readonly startMono: number;
  readonly endMono: number;
}

/** Schedules every occurrence of a scenario comms fault. */
export function scheduleCommsFault(
  spec: CommsFaultSpec,
  specIndex: number,
  queue: EventQueue,
  streams: PrngStreams,
  handle: (occurrence: CommsOccurrence, phase: 'start' | 'end') => void,
): void {
  const prng = streams.stream(`comms/${specIndex}/${spec.plc}/${spec.kind}`);
  const occur = (startMono: number, index: number) => {
    const durationMs = spec.kind === 'drop' ? 0 : spec.duration;
    const occurrence: CommsOccurrence = { spec, index, startMono, endMono: startMono + durationMs };
    queue.schedule(startMono, () => handle(occurrence, 'start'));
    queue.schedule(occurrence.endMono, () => {
      handle(occurrence, 'end');
      if (spec.every !== undefined && (spec.count === undefined || index + 1 < spec.count)) {
        occur(occurrence.endMono + sampleMs(spec.every, prng, 1), index + 1);
      }
    });
  };
  const first = spec.at ?? (spec.every !== undefined ? sampleMs(spec.every, prng, 1) : undefined);
  if (first !== undefined) occur(first, 0);
}

/** First start of a degradation episode, in mono ms. */
export function firstEpisodeMono(spec: DegradationSpec, streams: PrngStreams): number | undefined {
  if (spec.at !== undefined) return spec.at;
  if (spec.every !== undefined) return sampleMs(spec.every, streams.stream(`episode/${spec.id}`), 1);
  return undefined;
}
