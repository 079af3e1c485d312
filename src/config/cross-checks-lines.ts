/**
 * Lines and their stations: unique ids, the output station, cycle sources and signals, fault
 * reasons, condition thresholds, micro-stop threshold; and the reason ids stations refer to.
 */
import { unique, type Add, type Config, type Path } from './cross-checks-common.js';
import { CYCLE_SOURCES, checkSignals, type CycleOwners } from './cross-checks-signals.js';
import { checkTagRef, type TagRefs } from './cross-checks-tag-refs.js';
import { didYouMean } from './suggest.js';
import { isPartial } from './tolerant.js';

/** The reason ids defined; `known` is false when some reason lost its id, so a miss may not be one. */
export interface KnownReasons {
  readonly ids: Set<string>;
  readonly known: boolean;
}

export function checkReasons(config: Config, add: Add): KnownReasons {
  const reasons = config.reasons ?? [];
  unique(
    reasons.map((r, i) => [r?.id, ['reasons', i, 'id']]),
    'reason',
    add,
  );
  const ids = new Set(reasons.flatMap((r) => (r?.id === undefined ? [] : [r.id])));
  const known = config.reasons !== undefined && reasons.every((r) => r?.id !== undefined);
  return { ids, known };
}

export function checkLines(config: Config, tags: TagRefs, reasons: KnownReasons, add: Add): void {
  const { ids: reasonIds, known: reasonsKnown } = reasons;
  const lines = config.lines ?? [];
  unique(
    lines.map((l, i) => [l?.id, ['lines', i, 'id']]),
    'line',
    add,
  );
  unique(
    lines.flatMap((l, li) => (l?.stations ?? []).map((s, si) => [s?.id, ['lines', li, 'stations', si, 'id']] as const)),
    'station (station ids are unique across lines: they name dashboard routes)',
    add,
  );
  const cycleOwners: CycleOwners = new Map();
  lines.forEach((line, li) => {
    if (line === undefined) return;
    const stations = line.stations ?? [];
    const stationIds = stations.flatMap((s) => (s?.id === undefined ? [] : [s.id]));
    const stationsKnown = line.stations !== undefined && stations.every((s) => s?.id !== undefined);
    if (line.outputStation !== undefined && stationsKnown && !stationIds.includes(line.outputStation)) {
      add(
        ['lines', li, 'outputStation'],
        `no station "${line.outputStation}" in line "${line.id ?? li}"${didYouMean(line.outputStation, stationIds)}`,
      );
    }
    stations.forEach((station, si) => {
      if (station === undefined) return;
      const base: Path = ['lines', li, 'stations', si];
      const s = station.signals;
      if (s !== undefined) {
        const cycleSources = CYCLE_SOURCES.filter((k) => s[k] !== undefined);
        if (cycleSources.length === 0 && !isPartial(s))
          add([...base, 'signals'], 'needs one cycle source: cycleCounter, cycleEdge or cyclePulse');
        if (cycleSources.length > 1)
          add(
            [...base, 'signals', cycleSources[1] as string],
            `only one cycle source allowed, found ${cycleSources.join(' and ')}`,
          );
        checkSignals(s, base, station.id ?? `${si}`, tags, cycleOwners, add);
        if (station.trustRunningBit === true && s.running === undefined && !isPartial(s))
          add(
            [...base, 'trustRunningBit'],
            'trustRunningBit needs signals.running: without a running bit, stops come from gaps between cycles',
          );
      }
      for (const [code, reason] of Object.entries(station.faultReasons ?? {})) {
        if (reason !== undefined && reasonsKnown && !reasonIds.has(reason)) {
          add([...base, 'faultReasons', code], `no reason "${reason}" in reasons${didYouMean(reason, reasonIds)}`);
        }
      }
      (station.conditions ?? []).forEach((c, ci) => {
        if (c === undefined) return;
        const info =
          c.tag === undefined ? undefined : checkTagRef(c.tag, [...base, 'conditions', ci, 'tag'], tags, add);
        if (info?.type === 'string')
          add([...base, 'conditions', ci, 'tag'], `tag "${c.tag}" is a string; condition signals must be numeric`);
        if (c.warning !== undefined && c.alarm !== undefined && c.direction !== undefined) {
          const ordered = c.direction === 'above' ? c.warning < c.alarm : c.warning > c.alarm;
          if (!ordered)
            add(
              [...base, 'conditions', ci, 'warning'],
              `warning ${c.warning} must come before alarm ${c.alarm} when direction is "${c.direction}"`,
            );
        }
      });
      if (
        station.microStopThreshold !== undefined &&
        station.idealCycleTime !== undefined &&
        station.microStopThreshold <= station.idealCycleTime
      ) {
        add([...base, 'microStopThreshold'], 'must be longer than idealCycleTime');
      }
    });
  });
}
