/**
 * Turns the core's event stream into coalesced deltas for the page. Events only mark what
 * changed (cheap, synchronous, never throws back into the core); `takeDelta()` — called once per
 * broadcast window, ~4/s — then reads the core's snapshot once for the stations that changed and
 * packs everything into one `DeltaView`. Memory is bounded by the number of stations and of ids
 * that changed within one window, whatever the event rate.
 */
import type { CoreEvent } from '../core/events.js';
import type { HealthPort, LivePort } from './deps.js';
import { adaptSnapshot, alertFromEvent, deviceView, downtimeFromEvent, type ViewContext } from './view-build.js';
import type {
  AlertView,
  CycleBatch,
  DeltaView,
  DeviceView,
  DowntimeView,
  SpanChange,
  StationView,
  LineView,
} from './view-model.js';

/** State changes kept per station per window; more within 250 ms is flapping, the snapshot settles it. */
const MAX_SPANS_PER_STATION = 50;

interface MutableBatch {
  station: string;
  from: number;
  to: number;
  count: number;
  good: number;
  timed: number;
  minMs: number | null;
  maxMs: number | null;
  sumMs: number;
  lastMs: number | null;
}

export class LiveFeed {
  private seqNo = 0;
  private readonly dirtyStations = new Set<string>();
  private readonly dirtyLines = new Set<string>();
  private readonly spans = new Map<string, SpanChange[]>();
  private readonly cycles = new Map<string, MutableBatch>();
  private readonly downtime = new Map<string, DowntimeView>();
  private readonly alerts = new Map<string, AlertView>();
  private devices: DeviceView[] | undefined;
  private lastDevicesJson = '';
  readonly eventCounts = new Map<CoreEvent['type'], number>();

  constructor(
    private readonly live: LivePort,
    private readonly health: HealthPort,
    private readonly ctx: ViewContext,
    private readonly wallMs: () => number,
  ) {}

  /** Sequence number of the last delta taken (a snapshot built now is followed by seq + 1). */
  get seq(): number {
    return this.seqNo;
  }

  onEvent(event: CoreEvent): void {
    this.eventCounts.set(event.type, (this.eventCounts.get(event.type) ?? 0) + 1);
    switch (event.type) {
      case 'state': {
        this.markStation(event.station, event.line);
        let list = this.spans.get(event.station);
        if (list === undefined) this.spans.set(event.station, (list = []));
        list.push({
          station: event.station,
          state: event.state,
          since: event.since,
          ...(event.reason !== undefined ? { reason: event.reason } : {}),
        });
        if (list.length > MAX_SPANS_PER_STATION) list.shift();
        return;
      }
      case 'cycle': {
        this.markStation(event.station, event.line);
        const b = this.cycles.get(event.station) ?? this.newBatch(event.station, event.ts);
        b.from = Math.min(b.from, event.ts);
        b.to = Math.max(b.to, event.ts);
        b.count++;
        if (event.good) b.good++;
        const ms = event.cycleTimeMs;
        if (ms !== undefined) {
          // A cycle without a time (the first after a start or a gap) counts, but has no time.
          b.timed++;
          b.minMs = b.minMs === null ? ms : Math.min(b.minMs, ms);
          b.maxMs = b.maxMs === null ? ms : Math.max(b.maxMs, ms);
          b.sumMs += ms;
          b.lastMs = ms;
        }
        return;
      }
      case 'downtime':
        this.markStation(event.station, event.line);
        this.downtime.set(event.downtimeId, downtimeFromEvent(event, this.ctx));
        return;
      case 'oee':
        if (event.station !== undefined) this.markStation(event.station, event.line);
        else this.dirtyLines.add(event.line);
        return;
      case 'alert':
        this.alerts.set(event.alertId, alertFromEvent(event));
        return;
      case 'product':
        // The tile and the line header show the product; the snapshot has it.
        this.markStation(event.station, event.line);
        return;
      case 'order':
        // An order belongs to a line, not a station: started, stopped and progress events change
        // only the line's `order` (its progress bar and ETA), and a start or stop comes with no
        // cycle or OEE event that would otherwise mark the line.
        this.dirtyLines.add(event.line);
        return;
      case 'scrap':
        // An operator's scrap entry moves good parts to rejects with no cycle or OEE event of its
        // own: without this the tile's quality, counts and rejects by reason would wait for the
        // next part, which on a stopped station may be a long while.
        this.markStation(event.station, event.line);
        return;
    }
  }

  /** Compares device health with what was last sent; a change goes out with the next delta. */
  checkDevices(): void {
    const views = this.health.sources().map(deviceView);
    const json = JSON.stringify(views);
    if (json !== this.lastDevicesJson) {
      this.lastDevicesJson = json;
      this.devices = views;
    }
  }

  private newBatch(station: string, ts: number): MutableBatch {
    const batch: MutableBatch = {
      station,
      from: ts,
      to: ts,
      count: 0,
      good: 0,
      timed: 0,
      minMs: null,
      maxMs: null,
      sumMs: 0,
      lastMs: null,
    };
    this.cycles.set(station, batch);
    return batch;
  }

  private markStation(station: string, line: string): void {
    this.dirtyStations.add(station);
    this.dirtyLines.add(line);
  }

  get pending(): boolean {
    return (
      this.dirtyStations.size > 0 ||
      this.dirtyLines.size > 0 ||
      this.downtime.size > 0 ||
      this.alerts.size > 0 ||
      this.devices !== undefined
    );
  }

  /** Everything that changed since the previous call, or undefined when nothing did. */
  takeDelta(): DeltaView | undefined {
    if (!this.pending) return undefined;
    let stations: StationView[] | undefined;
    let lines: LineView[] | undefined;
    if (this.dirtyStations.size > 0 || this.dirtyLines.size > 0) {
      const adapted = adaptSnapshot(this.live.snapshot(), this.ctx);
      stations = adapted.stations.filter((s) => this.dirtyStations.has(s.id));
      lines = adapted.lines.filter((l) => this.dirtyLines.has(l.id));
    }
    const spans = [...this.spans.values()].flat();
    const cycles: CycleBatch[] = [...this.cycles.values()];
    const delta: DeltaView = {
      seq: ++this.seqNo,
      at: this.wallMs(),
      ...(stations !== undefined && stations.length > 0 ? { stations } : {}),
      ...(lines !== undefined && lines.length > 0 ? { lines } : {}),
      ...(spans.length > 0 ? { spans } : {}),
      ...(cycles.length > 0 ? { cycles } : {}),
      ...(this.downtime.size > 0 ? { downtime: [...this.downtime.values()] } : {}),
      ...(this.alerts.size > 0 ? { alerts: [...this.alerts.values()] } : {}),
      ...(this.devices !== undefined ? { devices: this.devices } : {}),
    };
    this.discard();
    return delta;
  }

  /** Drops what is pending (nobody is connected; the next client gets a fresh snapshot). */
  discard(): void {
    this.dirtyStations.clear();
    this.dirtyLines.clear();
    this.spans.clear();
    this.cycles.clear();
    this.downtime.clear();
    this.alerts.clear();
    this.devices = undefined;
  }
}
