/**
 * One Sparkplug B edge node's session state and the messages it publishes (pure; spec 3.0
 * chapters 6 and 7). The caller owns the connection: it asks for the births when the broker has
 * accepted the CONNECT (with the same bdSeq as that CONNECT's Will), and passes every core event
 * through `apply`, which answers with the DDATA, DDEATH or DBIRTH it means.
 *
 * Rules kept here:
 * - NBIRTH carries seq 0, the bdSeq of the Will, `Node Control/Rebirth` (false) and every node
 *   metric with name, datatype, alias and value; a DBIRTH per online station follows at once.
 * - One seq counter per node for NBIRTH/DBIRTH/NDATA/DDATA/DDEATH: +1, 255 -> 0. NDEATH has no seq.
 * - DDATA only for metrics whose value changed, by alias only (no name, no datatype).
 * - A station whose device loses comms gets a DDEATH; when it is back, a full DBIRTH.
 * - Aliases are unique in the node and stable across sessions for the same config.
 */
import type { CoreEvent } from '../../core/events.js';
import { encodePayload, type Metric, type MetricValue } from './payload.js';
import { STATION_METRICS, changesOf, emptyValues, type StationValues } from './station-metrics.js';

export const NAMESPACE = 'spBv1.0';
export const REBIRTH_METRIC = 'Node Control/Rebirth';

export interface SessionConfig {
  readonly groupId: string;
  readonly edgeNodeId: string;
  /** Station ids, in config order: the Sparkplug devices. */
  readonly stations: readonly string[];
  /** Node metric `Properties/Version`. */
  readonly version: string;
}

export interface SparkplugMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly kind: 'NBIRTH' | 'DBIRTH' | 'NDATA' | 'DDATA' | 'DDEATH';
}

/** What survives a restart: every station's last values and open alerts. */
export interface SessionState {
  readonly values: Record<string, StationValues>;
  readonly openAlerts: Record<string, string[]>;
  readonly offline: string[];
}

export class EdgeNodeSession {
  private seq = 0;
  private readonly values = new Map<string, StationValues>();
  private readonly openAlerts = new Map<string, Set<string>>();
  private readonly offline = new Set<string>();
  private readonly aliasBase = new Map<string, number>();

  constructor(
    private readonly cfg: SessionConfig,
    restored?: SessionState,
  ) {
    cfg.stations.forEach((station, i) => {
      this.aliasBase.set(station, 1000 * (i + 1));
      this.values.set(station, { ...emptyValues(), ...(restored?.values[station] ?? {}) });
      this.openAlerts.set(station, new Set(restored?.openAlerts[station] ?? []));
      if (restored?.offline.includes(station) === true) this.offline.add(station);
    });
  }

  topic(kind: string, device?: string): string {
    const base = `${NAMESPACE}/${this.cfg.groupId}/${kind}/${this.cfg.edgeNodeId}`;
    return device === undefined ? base : `${base}/${device}`;
  }

  /** The NDEATH payload for a CONNECT's Will: only bdSeq, no seq. */
  death(bdSeq: number, now: number): Uint8Array {
    return encodePayload({ timestamp: now, metrics: [{ name: 'bdSeq', datatype: 'Int64', value: bdSeq }] });
  }

  /** NBIRTH (seq 0) and a DBIRTH for every station whose device is online. */
  births(bdSeq: number, now: number): SparkplugMessage[] {
    this.seq = 0;
    const nbirth: SparkplugMessage = {
      kind: 'NBIRTH',
      topic: this.topic('NBIRTH'),
      payload: encodePayload({
        timestamp: now,
        seq: this.nextSeq(),
        metrics: [
          { name: 'bdSeq', datatype: 'Int64', value: bdSeq, timestamp: now },
          { name: REBIRTH_METRIC, datatype: 'Boolean', value: false, timestamp: now },
          { name: 'Properties/Version', alias: 1, datatype: 'String', value: this.cfg.version, timestamp: now },
          { name: 'Properties/Devices', alias: 2, datatype: 'Int32', value: this.cfg.stations.length, timestamp: now },
        ],
      }),
    };
    const dbirths = this.cfg.stations.filter((s) => !this.offline.has(s)).map((s) => this.dbirth(s, now));
    return [nbirth, ...dbirths];
  }

  /** What an event means on the wire; nothing for events of other stations or without a change. */
  apply(event: CoreEvent, now: number): SparkplugMessage[] {
    const station = event.station;
    if (station === undefined) return [];
    const values = this.values.get(station);
    const open = this.openAlerts.get(station);
    if (values === undefined || open === undefined) return [];
    const changed: Metric[] = [];
    const base = this.aliasBase.get(station) ?? 0;
    for (const [name, value] of Object.entries(changesOf(event, values, open))) {
      if (sameValue(values[name] ?? null, value)) continue;
      values[name] = value;
      const index = STATION_METRICS.findIndex((m) => m.name === name);
      const def = STATION_METRICS[index];
      if (def !== undefined) changed.push({ alias: base + index + 1, valueType: def.type, value, timestamp: event.ts });
    }
    if (event.type === 'state' && event.state === 'comms_lost') {
      if (this.offline.has(station)) return [];
      this.offline.add(station);
      return [
        {
          kind: 'DDEATH',
          topic: this.topic('DDEATH', station),
          payload: encodePayload({ timestamp: now, seq: this.nextSeq(), metrics: [] }),
        },
      ];
    }
    if (this.offline.has(station)) {
      // The device is back (or its first event after a death): a full birth, not a change.
      if (event.type !== 'state') return [];
      this.offline.delete(station);
      return [this.dbirth(station, now)];
    }
    if (changed.length === 0) return [];
    return [
      {
        kind: 'DDATA',
        topic: this.topic('DDATA', station),
        payload: encodePayload({ timestamp: now, seq: this.nextSeq(), metrics: changed }),
      },
    ];
  }

  state(): SessionState {
    return {
      values: Object.fromEntries(this.values),
      openAlerts: Object.fromEntries([...this.openAlerts].map(([s, set]) => [s, [...set]])),
      offline: [...this.offline],
    };
  }

  private dbirth(station: string, now: number): SparkplugMessage {
    const values = this.values.get(station) ?? emptyValues();
    const base = this.aliasBase.get(station) ?? 0;
    return {
      kind: 'DBIRTH',
      topic: this.topic('DBIRTH', station),
      payload: encodePayload({
        timestamp: now,
        seq: this.nextSeq(),
        metrics: STATION_METRICS.map((m, i) => ({
          name: m.name,
          alias: base + i + 1,
          datatype: m.type,
          value: values[m.name] ?? null,
          timestamp: now,
        })),
      }),
    };
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) % 256;
    return s;
  }
}

function sameValue(a: MetricValue, b: MetricValue): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}
