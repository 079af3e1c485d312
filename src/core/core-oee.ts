/**
 * OEE events: a station's shift figures when they are final, and every oeeInterval its live shift
 * and rolling-hour figures; a line's output station sends each again as the line's (with the line's
 * own id sequence). Keeps each station's last final figures (the snapshot's previous shift) and
 * recomputes them when an operator changes a reason in that shift. Each line's ledger
 * (line-ledger.ts) goes out with the line's figures.
 */
import type { Bindings, LineSpec } from './bindings.js';
import type { ShiftCalendar } from './calendar.js';
import type { DowntimeRecord } from './downtime.js';
import type { OeeEvent } from './events.js';
import { rollingView, shiftFigures, shiftWindowOf, type OeeView } from './figures.js';
import { LineLedgers, type StationShiftView } from './line-ledger.js';
import type { LineSeqs } from './line-seqs.js';
import type { Station } from './station.js';
import type { ShiftWindowView } from './station-accounts.js';
import type { EventHost } from './station-interval.js';

export class OeeEmitter {
  private readonly lineOf: LineSpec[] = [];
  private readonly isOutput: boolean[] = [];
  /** Per line (bindings order): its stations' indices, in flow order. */
  private readonly lineStations: { readonly line: LineSpec; readonly indices: readonly number[] }[];
  private readonly previousViews = new Map<number, OeeView>();
  private readonly ledgers: LineLedgers;
  private nextOeeMono: number;

  constructor(
    bindings: Bindings,
    private readonly lineSeqs: LineSeqs,
    private readonly host: Pick<EventHost, 'emit' | 'wallOf'>,
    private readonly calendar: ShiftCalendar,
    private readonly intervalMs: number,
    startMono: number,
    agentId: string,
  ) {
    this.nextOeeMono = startMono + intervalMs;
    this.ledgers = new LineLedgers(agentId, lineSeqs, (e) => host.emit(e));
    this.lineStations = bindings.lines.map((line) => ({
      line,
      indices: line.stations.map((spec) => bindings.stations.indexOf(spec)),
    }));
    for (const { line, indices } of this.lineStations) {
      for (const i of indices) {
        this.lineOf[i] = line;
        this.isOutput[i] = bindings.stations[i]?.id === line.outputStation;
      }
    }
  }

  /** The final figures of the station's previous shift, as last computed. */
  previousView(st: Station): OeeView | undefined {
    return this.previousViews.get(st.index);
  }

  /**
   * A station's shift window is final: its figures go out and are kept as its previous shift; the
   * last station of its line to get there sends the line's final ledger.
   */
  shiftFinal(st: Station, w: ShiftWindowView, atMono: number, stations: readonly Station[]): void {
    const view: OeeView = {
      window: shiftWindowOf(w),
      figures: shiftFigures(st, w, atMono, this.host.wallOf(atMono), this.calendar, true),
    };
    this.previousViews.set(st.index, view);
    this.emitOee(st, view, true, atMono);
    this.sendFinalLedger(st, stations, atMono);
  }

  /** The final ledger of `st`'s line, when every station of it has finalized the same shift. */
  private sendFinalLedger(st: Station, stations: readonly Station[], atMono: number): void {
    const entry = this.lineStations.find((l) => l.line.id === st.spec.line);
    if (entry === undefined) return;
    const views = entry.indices.map((i): StationShiftView | undefined => {
      const s = stations[i];
      const w = s?.previousShift;
      if (s === undefined || w === undefined) return undefined;
      const kept = this.previousViews.get(i);
      // After a restart a station finalized before it has no kept view: its window is restored.
      const figures =
        kept !== undefined && kept.window.start === w.instance.startWall
          ? kept.figures
          : shiftFigures(s, w, atMono, this.host.wallOf(atMono), this.calendar, true);
      return { station: s.id, window: w, figures };
    });
    this.ledgers.send(entry.line, views, true, this.host.wallOf(atMono));
  }

  /**
   * Live shift and rolling figures of every station (and line), when oeeInterval has passed (tick
   * at `t`). Returns true when it was time.
   */
  periodic(stations: readonly Station[], t: number): boolean {
    if (!(t >= this.nextOeeMono)) return false;
    this.nextOeeMono = t + this.intervalMs;
    const live: (StationShiftView | undefined)[] = [];
    for (const st of stations) {
      const w = st.currentShift;
      if (w !== undefined) {
        const figures = shiftFigures(st, w, t, this.host.wallOf(t), this.calendar, false);
        live[st.index] = { station: st.id, window: w, figures };
        this.emitOee(st, { window: shiftWindowOf(w), figures }, false, t);
      }
      this.emitOee(
        st,
        rollingView(st, t, (m) => this.host.wallOf(m)),
        false,
        t,
      );
    }
    const ts = this.host.wallOf(t);
    for (const { line, indices } of this.lineStations)
      this.ledgers.send(
        line,
        indices.map((i) => live[i]),
        false,
        ts,
      );
    return true;
  }

  /** An operator changed the reason of `record`: the previous shift's figures follow if it was in it. */
  reasonChanged(st: Station, record: Readonly<DowntimeRecord>, now: number, stations: readonly Station[]): void {
    const previous = st.previousShift;
    if (previous !== undefined && record.startMono < previous.endMono) {
      this.previousViews.set(st.index, {
        window: shiftWindowOf(previous),
        figures: shiftFigures(st, previous, now, this.host.wallOf(now), this.calendar, true),
      });
      // The shift's final ledger is corrected too (its time and counts stay, the reasons move).
      if (st.currentShift === undefined || st.currentShift !== previous) this.sendFinalLedger(st, stations, now);
    }
  }

  private emitOee(st: Station, view: OeeView, final: boolean, atMono: number): void {
    const ts = this.host.wallOf(atMono);
    const event: OeeEvent = {
      type: 'oee',
      id: st.nextId(),
      line: st.spec.line,
      station: st.id,
      seq: st.seq,
      ts,
      window: view.window,
      final,
      figures: view.figures,
    };
    this.host.emit(event);
    if (this.isOutput[st.index] !== true) return;
    const line = this.lineOf[st.index] as LineSpec;
    const { id, seq } = this.lineSeqs.next(line.id);
    this.host.emit({
      type: 'oee',
      id,
      line: line.id,
      seq,
      ts,
      window: view.window,
      final,
      figures: view.figures,
    });
  }
}
