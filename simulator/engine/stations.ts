/**
 * Builds the line's stations in scenario order, coupling each to the next through its output
 * buffer (a station without one hands its parts straight on; the last one's leave the line).
 */
import type { PrngStreams } from '../random/prng.js';
import type { StationSpec } from '../scenario-schema.js';
import { SimStation, type PartBuffer, type StationHost } from './station.js';

export function buildStations(
  specs: readonly StationSpec[],
  host: StationHost,
  streams: PrngStreams,
): Map<string, SimStation> {
  const stations = new Map<string, SimStation>();
  let buffer: PartBuffer | undefined;
  for (const spec of specs) {
    const station = new SimStation(spec, host, streams);
    stations.set(spec.id, station);
    if (buffer !== undefined) {
      station.input = buffer;
      buffer.downstream = station;
    }
    if (spec.outputBuffer !== undefined) {
      buffer = { capacity: spec.outputBuffer.capacity, count: spec.outputBuffer.initial, upstream: station };
      station.output = buffer;
    } else {
      buffer = undefined;
    }
  }
  return stations;
}
