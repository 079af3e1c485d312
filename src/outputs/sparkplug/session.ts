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
import { encodePayload, type Metric, type MetricValue, type Property } from './payload.js';
import { STATION_METRICS, changesOf, type MetricDef, type StationValues } from './station-metrics.js';

export const NAMESPACE = 'spBv1.0';
export const REBIRTH_METRIC = 'Node Control/Rebirth';

export interface SessionConfig {
  readonly groupId: string;
  readonly edgeNodeId: string;
  /** Station ids, in config order: the Sparkplug devices. */
  readonly stations: readonly string[];
  /** Node metric `Properties/Version`. */
  readonly version: string;
  /** Condition signals per station: a Double metric each, after the fixed ones. */
  readonly conditions?: Readonly<Record<string, readonly ConditionMetric[]>>;
}

/** A station's condition signal as a metric: its tag, its name, its properties (unit, limits). */
export interface ConditionMetric {
  /** `<device>.<tag>` */
  readonly tag: string;
  /** `Condition/<tag name>` */
  readonly name: string;
  readonly properties: Readonly<Record<string, Property>>;
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

type Change = { index: number; value: MetricValue };

/** Values and open alerts of every station, as one stream of events (and condition samples) made them. */
class Track {
  readonly values = new Map<string, StationValues>();
  readonly openAlerts = new Map<string, Set<string>>();

  constructor(
    stations: readonly string[],
    private readonly defs: (station: string) => readonly MetricDef[],
    restored:
      | { readonly values: Record<string, StationValues>; readonly openAlerts: Record<string, string[]> }
      | undefined,
  ) {
    for (const station of stations) {
      const empty = Object.fromEntries(defs(station).map((m) => [m.name, null]));
      this.values.set(station, { ...empty, ...(restored?.values[station] ?? {}) });
      this.openAlerts.set(station, new Set(restored?.openAlerts[station] ?? []));
    }
  }

  /** Takes the event; returns the metrics it changed (index into the station's metrics, value), or undefined for another station's. */
  update(event: CoreEvent): Change[] | undefined {
    const station = event.station;
    const values = station === undefined ? undefined : this.values.get(station);
    const open = station === undefined ? undefined : this.openAlerts.get(station);
    if (station === undefined || values === undefined || open === undefined) return undefined;
    const changed: Change[] = [];
    for (const [name, value] of Object.entries(changesOf(event, values, open))) {
      const change = this.set(station, name, value);
      if (change !== undefined) changed.push(change);
    }
    return changed;
  }

  /** Sets one metric; the change, or undefined when the value is the same. */
  set(station: string, name: string, value: MetricValue): Change | undefined {
    const values = this.values.get(station);
    if (values === undefined || sameValue(values[name] ?? null, value)) return undefined;
    values[name] = value;
    const index = this.defs(station).findIndex((m) => m.name === name);
    return index < 0 ? undefined : { index, value };
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
  private readonly defs = new Map<string, readonly MetricDef[]>();
  /** Condition tag -> the stations (and metric names) that watch it. */
  private readonly byTag = new Map<string, Array<{ station: string; name: string }>>();

  constructor(
    private readonly cfg: SessionConfig,
    restored?: SessionState,
  ) {
    for (const station of cfg.stations) {
      const conditions = cfg.conditions?.[station] ?? [];
      this.defs.set(station, [
        ...STATION_METRICS,
        ...conditions.map((c) => ({ name: c.name, type: 'Double' as const, properties: c.properties })),
      ]);
      for (const c of conditions) this.byTag.set(c.tag, [...(this.byTag.get(c.tag) ?? []), { station, name: c.name }]);
    }
    const defsOf = (station: string) => this.defs.get(station) ?? STATION_METRICS;
    this.live = new Track(cfg.stations, defsOf, restored);
    this.replayed = new Track(cfg.stations, defsOf, restored?.history ?? restored);
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

  /** Whether any station has condition signals (then the edge node reads samples too). */
  get watchesSamples(): boolean {
    return this.byTag.size > 0;
  }

  /** Whether a tag is a station's condition signal (its samples become metrics). */
  watches(tag: string): boolean {
    return this.byTag.has(tag);
  }

  /** A live condition sample: DDATA of the stations whose metric it changed (as `apply`). */
  sample(tag: string, value: number, ts: number, now: number, publish = true): SparkplugMessage[] {
    const out: SparkplugMessage[] = [];
    for (const { station, name } of this.byTag.get(tag) ?? []) {
      const change = this.live.set(station, name, value);
      if (change !== undefined && publish && !this.offline.has(station))
        out.push(this.ddata(station, [change], ts, now, false));
    }
    return out;
  }

  /** A spooled condition sample into the replay; the changes for `historyMessage`. */
  replaySample(tag: string, value: number, ts: number): ReplayedChange[] {
    const out: ReplayedChange[] = [];
    for (const { station, name } of this.byTag.get(tag) ?? []) {
      const change = this.replayed.set(station, name, value);
      if (change !== undefined) out.push({ station, changed: [change], ts });
    }
    return out;
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
    const defs = this.defs.get(station) ?? STATION_METRICS;
    const metrics: Metric[] = changed.map(({ index, value }) => ({
      alias: base + index + 1,
      valueType: defs[index]?.type ?? 'String',
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
    const values = this.live.values.get(station) ?? {};
    const base = this.aliasBase.get(station) ?? 0;
    return {
      kind: 'DBIRTH',
      topic: this.topic('DBIRTH', station),
      payload: encodePayload({
        timestamp: now,
        seq: this.nextSeq(),
        metrics: (this.defs.get(station) ?? STATION_METRICS).map((m, i) => ({
          name: m.name,
          alias: base + i + 1,
          datatype: m.type,
          value: values[m.name] ?? null,
          timestamp: now,
          ...(m.properties === undefined ? {} : { properties: m.properties }),
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
