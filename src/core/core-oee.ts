/**
 * OEE events: a station's shift figures when they are final, and every oeeInterval its live shift
 * and rolling-hour figures; a line's output station sends each again as the line's (with the line's
 * own id sequence). Keeps each station's last final figures (the snapshot's previous shift) and
 * recomputes them when an operator changes a reason in that shift.
 */
import type { Bindings, LineSpec } from './bindings.js';
import type { ShiftCalendar } from './calendar.js';
import type { DowntimeRecord } from './downtime.js';
import type { OeeEvent } from './events.js';
import { rollingView, shiftFigures, shiftWindowOf, type OeeView } from './figures.js';
import type { LineSeqs } from './line-seqs.js';
import type { Station } from './station.js';
import type { ShiftWindowView } from './station-accounts.js';
import type { EventHost } from './station-interval.js';

export class OeeEmitter {
  private readonly lineOf: LineSpec[] = [];
  private readonly isOutput: boolean[] = [];
  private readonly previousViews = new Map<number, OeeView>();
  private nextOeeMono: number;

  constructor(
    bindings: Bindings,
    private readonly lineSeqs: LineSeqs,
    private readonly host: Pick<EventHost, 'emit' | 'wallOf'>,
    private readonly calendar: ShiftCalendar,
    private readonly intervalMs: number,
    startMono: number,
  ) {
    this.nextOeeMono = startMono + intervalMs;
    for (const line of bindings.lines) {
      for (const spec of line.stations) {
        const i = bindings.stations.indexOf(spec);
        this.lineOf[i] = line;
        this.isOutput[i] = spec.id === line.outputStation;
      }
    }
  }

  /** The final figures of the station's previous shift, as last computed. */
  previousView(st: Station): OeeView | undefined {
    return this.previousViews.get(st.index);
  }

  /** A station's shift window is final: its figures go out and are kept as its previous shift. */
  shiftFinal(st: Station, w: ShiftWindowView, atMono: number): void {
    const view: OeeView = {
      window: shiftWindowOf(w),
      figures: shiftFigures(st, w, atMono, this.host.wallOf(atMono), this.calendar, true),
    };
    this.previousViews.set(st.index, view);
    this.emitOee(st, view, true, atMono);
  }

  /**
   * Live shift and rolling figures of every station (and line), when oeeInterval has passed (tick
   * at `t`). Returns true when it was time.
   */
  periodic(stations: readonly Station[], t: number): boolean {
    if (!(t >= this.nextOeeMono)) return false;
    this.nextOeeMono = t + this.intervalMs;
    for (const st of stations) {
      const w = st.currentShift;
      if (w !== undefined)
        this.emitOee(
          st,
          { window: shiftWindowOf(w), figures: shiftFigures(st, w, t, this.host.wallOf(t), this.calendar, false) },
          false,
          t,
        );
      this.emitOee(
        st,
        rollingView(st, t, (m) => this.host.wallOf(m)),
        false,
        t,
      );
    }
    return true;
  }

  /** An operator changed the reason of `record`: the previous shift's figures follow if it was in it. */
  reasonChanged(st: Station, record: Readonly<DowntimeRecord>, now: number): void {
    const previous = st.previousShift;
    if (previous !== undefined && record.startMono < previous.endMono) {
      this.previousViews.set(st.index, {
        window: shiftWindowOf(previous),
        figures: shiftFigures(st, previous, now, this.host.wallOf(now), this.calendar, true),
      });
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
