/**
 * Degradation episodes and condition signals. An episode is a wear process measured in
 * processing time: wear w = (elapsed / ramp) ^ shape rises from 0 to 1, stretching cycle times,
 * raising the micro-stop rate and pushing condition signals up, and ends in a breakdown with the
 * episode's fault code when w reaches 1. Condition values are computed on demand from the
 * station's state plus counter-based noise, so reading a register never draws from a stream.
 */
import { hashString32, type PrngStreams } from '../random/prng.js';
import type { DegradationSpec, StationSpec } from '../scenario-schema.js';

export interface ActiveEpisode {
  /** "press-wear#1": the degradation id and its occurrence number. */
  readonly id: string;
  readonly spec: DegradationSpec;
  /** Station processing time (ms) when the episode began. */
  readonly startOpMs: number;
  readonly startMs: number;
}

/** Wear 0..1 of an episode at the given processing time. */
export function wearAt(episode: ActiveEpisode, opMs: number): number {
  const x = Math.min(1, Math.max(0, (opMs - episode.startOpMs) / episode.spec.ramp));
  return Math.pow(x, episode.spec.shape);
}

/** Processing time at which the episode's breakdown happens. */
export function episodeEndOpMs(episode: ActiveEpisode): number {
  return episode.startOpMs + episode.spec.ramp;
}

const conditionHashes = new Map<string, number>();

/** What a condition signal needs of a station (SimStation has it; no import back to station.ts). */
export interface ConditionSource {
  readonly id: string;
  readonly spec: Pick<StationSpec, 'conditions'>;
  readonly processing: boolean;
  readonly episode: ActiveEpisode | undefined;
  wearAt(mono: number): number;
}

/**
 * A condition signal's value at `mono`: base, plus its running offset while the station
 * processes, plus the active episode's increase times the wear, plus Gaussian noise that changes
 * every `sampleEvery` (counter-based: the same instant always reads the same value).
 */
export function conditionValueAt(station: ConditionSource, name: string, mono: number, streams: PrngStreams): number {
  const spec = station.spec.conditions.find((c) => c.name === name);
  if (spec === undefined) return Number.NaN;
  if (spec.dropouts !== undefined && isDropout(station.id, name, spec.dropouts, mono, streams))
    return spec.dropouts.value;
  let value = spec.base;
  if (station.processing) value += spec.whenRunning;
  const episode = station.episode;
  if (episode !== undefined) value += (episode.spec.conditions[name] ?? 0) * station.wearAt(mono);
  if (spec.noise > 0) {
    const key = `condition/${station.id}.${name}`;
    value += spec.noise * streams.normalAt(hashOf(key), Math.floor(mono / spec.sampleEvery));
  }
  return value;
}

function hashOf(key: string): number {
  let hash = conditionHashes.get(key);
  if (hash === undefined) {
    hash = hashString32(key);
    conditionHashes.set(key, hash);
  }
  return hash;
}

/**
 * Is the sensor dead at `mono`? Time is cut into blocks of the dropout duration, each dead with
 * probability `share`, counter-based like the noise (its own key: the noise is unchanged).
 */
function isDropout(
  station: string,
  name: string,
  dropouts: { readonly share: number; readonly duration: number },
  mono: number,
  streams: PrngStreams,
): boolean {
  const block = Math.floor(mono / dropouts.duration);
  return streams.uniformAt(hashOf(`dropout/${station}.${name}`), block) < dropouts.share;
}
