/**
 * Degradation episodes on the simulated line: each degradation's first episode at its drawn
 * time, one wear process at a time per station (a later one waits until the current one's
 * breakdown is repaired), and the next occurrence `every` after a repair.
 */
import { sampleMs } from '../random/distributions.js';
import type { PrngStreams } from '../random/prng.js';
import type { Scenario } from '../scenario-schema.js';
import type { TruthRecord } from '../truth/records.js';
import type { EventQueue } from './event-queue.js';
import { episodeRecord } from './line-records.js';
import { firstEpisodeMono } from './schedules.js';
import type { SimStation } from './station.js';
import type { ActiveEpisode } from './wear.js';

export class Episodes {
  /** Episodes waiting, per station, for the current one's repair. */
  private readonly pending = new Map<string, (() => void)[]>();
  /** Occurrences so far, per degradation (the "#n" of the episode id). */
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly scenario: Scenario,
    private readonly queue: EventQueue,
    private readonly streams: PrngStreams,
    private readonly stations: ReadonlyMap<string, SimStation>,
    /** Wall time of mono 0. */
    private readonly startWallMs: number,
    /** Virtual time now, mono ms. */
    private readonly now: () => number,
    private readonly emit: (record: TruthRecord) => void,
  ) {}

  /** Schedules the first episode of every degradation that has one. */
  scheduleFirst(): void {
    this.scenario.degradation.forEach((d) => {
      const first = firstEpisodeMono(d, this.streams);
      if (first !== undefined) this.queue.schedule(first, () => this.start(d.id));
    });
  }

  /** A wear breakdown that ended `episode` was repaired: the next waiting episode starts, or this one recurs. */
  repaired(station: SimStation, episode: ActiveEpisode): void {
    const next = this.pending.get(station.id)?.shift();
    if (next !== undefined) next();
    else if (episode.spec.every !== undefined) {
      const every = episode.spec.every;
      this.queue.schedule(this.now() + sampleMs(every, this.streams.stream(`episode/${episode.id}`), 1), () =>
        this.start(episode.spec.id),
      );
    }
  }

  private start(degradationId: string): void {
    const spec = this.scenario.degradation.find((d) => d.id === degradationId);
    const station = spec !== undefined ? this.stations.get(spec.station) : undefined;
    if (spec === undefined || station === undefined) return;
    if (station.episode !== undefined) {
      // One wear process at a time per station: this one starts when the current one is repaired.
      const queue = this.pending.get(station.id) ?? [];
      queue.push(() => this.start(degradationId));
      this.pending.set(station.id, queue);
      return;
    }
    const n = (this.counts.get(spec.id) ?? 0) + 1;
    this.counts.set(spec.id, n);
    const startMs = this.startWallMs + this.now();
    const episode = station.startEpisode({ id: `${spec.id}#${n}`, spec, startMs });
    this.emit(episodeRecord(station.id, episode.id, spec, startMs));
  }
}
