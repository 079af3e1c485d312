/**
 * One Sparkplug B edge node's session state and the messages it publishes (pure; spec 3.0
 * chapters 6 and 7). The caller owns the connection: it asks for the births when the broker has
 * accepted the CONNECT (with the same bdSeq as that CONNECT's Will), passes every core event as it
 * happens through `apply` (the DDATA, DDEATH or DBIRTH it means, or, while not born, only the
 * state the next births carry), and events the host missed through `history` (DDATA whose
 * metrics are is_historical, with their original timestamps).
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

/** What one event changed in the replay. */
export interface ReplayedChange {
  readonly station: string;
  readonly changed: ReadonlyArray<{ readonly index: number; readonly value: MetricValue }>;
  readonly ts: number;
}

export interface SparkplugMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly kind: 'NBIRTH' | 'DBIRTH' | 'NDATA' | 'DDATA' | 'DDEATH';
}

/** What survives a restart: every station's last values and open alerts, live and as replayed. */
export interface SessionState {
  readonly values: Record<string, StationValues>;
  readonly openAlerts: Record<string, string[]>;
  readonly offline: string[];
  readonly history?: { readonly values: Record<string, StationValues>; readonly openAlerts: Record<string, string[]> };
}

/** Values and open alerts of every station, as one stream of events made them. */
class Track {
  readonly values = new Map<string, StationValues>();
  readonly openAlerts = new Map<string, Set<string>>();

  constructor(
    stations: readonly string[],
    restored:
      | { readonly values: Record<string, StationValues>; readonly openAlerts: Record<string, string[]> }
      | undefined,
  ) {
    for (const station of stations) {
      this.values.set(station, { ...emptyValues(), ...(restored?.values[station] ?? {}) });
      this.openAlerts.set(station, new Set(restored?.openAlerts[station] ?? []));
    }
  }

  /** Takes the event; returns the metrics it changed (index into STATION_METRICS, value), or undefined for another station's. */
  update(event: CoreEvent): Array<{ index: number; value: MetricValue }> | undefined {
    const station = event.station;
    const values = station === undefined ? undefined : this.values.get(station);
    const open = station === undefined ? undefined : this.openAlerts.get(station);
    if (values === undefined || open === undefined) return undefined;
    const changed: Array<{ index: number; value: MetricValue }> = [];
    for (const [name, value] of Object.entries(changesOf(event, values, open))) {
      if (sameValue(values[name] ?? null, value)) continue;
      values[name] = value;
      const index = STATION_METRICS.findIndex((m) => m.name === name);
      if (index >= 0) changed.push({ index, value });
    }
    return changed;
  }

  toJSON(): { values: Record<string, StationValues>; openAlerts: Record<string, string[]> } {
    return {
      values: Object.fromEntries(this.values),
      openAlerts: Object.fromEntries([...this.openAlerts].map(([s, set]) => [s, [...set]])),
    };
  }
}

/** The node's own figures, sent in NBIRTH and as NDATA when they change (at most once a minute). */
export interface NodeStatus {
  uptimeS: number;
  spoolBacklog: number;
}
const NODE_STATUS: ReadonlyArray<{ key: keyof NodeStatus; name: string; type: 'UInt64' }> = [
  { key: 'uptimeS', name: 'Node/Uptime s', type: 'UInt64' },
  { key: 'spoolBacklog', name: 'Node/Spool Backlog', type: 'UInt64' },
];
const NODE_STATUS_ALIAS = 3;

export class EdgeNodeSession {
  private seq = 0;
  private readonly nodeStatus: NodeStatus = { uptimeS: 0, spoolBacklog: 0 };
  private readonly live: Track;
  private readonly replayed: Track;
  private readonly offline = new Set<string>();
  private readonly aliasBase = new Map<string, number>();

  constructor(
    private readonly cfg: SessionConfig,
    restored?: SessionState,
  ) {
    this.live = new Track(cfg.stations, restored);
    this.replayed = new Track(cfg.stations, restored?.history ?? restored);
    cfg.stations.forEach((station, i) => {
      this.aliasBase.set(station, 1000 * (i + 1));
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
          ...NODE_STATUS.map((m, i) => ({
            name: m.name,
            alias: NODE_STATUS_ALIAS + i,
            datatype: m.type,
            value: this.nodeStatus[m.key],
            timestamp: now,
          })),
        ],
      }),
    };
    const dbirths = this.cfg.stations.filter((s) => !this.offline.has(s)).map((s) => this.dbirth(s, now));
    return [nbirth, ...dbirths];
  }

  /**
   * The node's own figures (uptime, spool backlog): NDATA of those that changed since last sent,
   * when born; otherwise only kept for the next NBIRTH.
   */
  nodeData(status: NodeStatus, now: number, publish: boolean): SparkplugMessage[] {
    const metrics: Metric[] = [];
    NODE_STATUS.forEach((m, i) => {
      if (this.nodeStatus[m.key] === status[m.key]) return;
      this.nodeStatus[m.key] = status[m.key];
      metrics.push({ alias: NODE_STATUS_ALIAS + i, valueType: m.type, value: status[m.key], timestamp: now });
    });
    if (!publish || metrics.length === 0) return [];
    const payload = encodePayload({ timestamp: now, seq: this.nextSeq(), metrics });
    return [{ kind: 'NDATA', topic: this.topic('NDATA'), payload }];
  }

  /**
   * A live event: what it means on the wire; nothing for events of other stations or without a
   * change. With `publish` false (not born: no connection, or the primary host is offline) it
   * only updates what the next births carry, and uses no seq.
   */
  apply(event: CoreEvent, now: number, publish = true): SparkplugMessage[] {
    const changed = this.live.update(event);
    const station = event.station;
    if (changed === undefined || station === undefined) return [];
    if (event.type === 'state' && event.state === 'comms_lost') {
      if (this.offline.has(station)) return [];
      this.offline.add(station);
      if (!publish) return [];
      const payload = encodePayload({ timestamp: now, seq: this.nextSeq(), metrics: [] });
      return [{ kind: 'DDEATH', topic: this.topic('DDEATH', station), payload }];
    }
    if (this.offline.has(station)) {
      // The device is back (or its first event after a death): a full birth, not a change.
      if (event.type !== 'state') return [];
      this.offline.delete(station);
      return publish ? [this.dbirth(station, now)] : [];
    }
    if (changed.length === 0 || !publish) return [];
    return [this.ddata(station, changed, event.ts, now, false)];
  }

  /**
   * Takes an event into the replay of what the host got (in spool order, once per event); for an
   * event the host did not get live, what it changed is sent with `historyMessage`.
   */
  replay(event: CoreEvent): ReplayedChange | undefined {
    const changed = this.replayed.update(event);
    if (changed === undefined || changed.length === 0 || event.station === undefined) return undefined;
    return { station: event.station, changed, ts: event.ts };
  }

  /** DDATA of a stored event's changes, every metric is_historical with the event's time, in a payload of its own. */
  historyMessage(change: ReplayedChange, now: number): SparkplugMessage {
    return this.ddata(change.station, change.changed, change.ts, now, true);
  }

  state(): SessionState {
    return { ...this.live.toJSON(), offline: [...this.offline], history: this.replayed.toJSON() };
  }

  private ddata(
    station: string,
    changed: ReadonlyArray<{ index: number; value: MetricValue }>,
    ts: number,
    now: number,
    historical: boolean,
  ): SparkplugMessage {
    const base = this.aliasBase.get(station) ?? 0;
    const metrics: Metric[] = changed.map(({ index, value }) => ({
      alias: base + index + 1,
      valueType: STATION_METRICS[index]?.type ?? 'String',
      value,
      timestamp: ts,
      ...(historical ? { isHistorical: true } : {}),
    }));
    return {
      kind: 'DDATA',
      topic: this.topic('DDATA', station),
      payload: encodePayload({ timestamp: now, seq: this.nextSeq(), metrics }),
    };
  }

  private dbirth(station: string, now: number): SparkplugMessage {
    const values = this.live.values.get(station) ?? emptyValues();
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
