/**
 * A line's shift ledger (LedgerEvent, docs/mqtt.md#ledger-retained-line): every station's shift
 * figures in flow order, for consumers that sum OEE over lines and shifts. The live ledger goes out
 * with the line's periodic OEE; the final one when the line's last station finalized the shift
 * (stations of a line finalize at different ticks when their devices answer at different times),
 * and again when an operator re-assigns a reason in that shift.
 */
import type { LineSpec } from './bindings.js';
import type { LedgerEvent, OeeFigures } from './events.js';
import type { LineSeqs } from './line-seqs.js';
import type { ShiftWindowView } from './station-accounts.js';

export interface StationShiftView {
  readonly station: string;
  readonly window: ShiftWindowView;
  readonly figures: OeeFigures;
}

export class LineLedgers {
  constructor(
    private readonly agentId: string,
    private readonly seqs: LineSeqs,
    private readonly emit: (event: LedgerEvent) => void,
  ) {}

  /**
   * Sends the ledger of `line` from its stations' views, when every station has one of the same
   * shift (a station whose window differs is still in another shift: nothing is sent).
   */
  send(line: LineSpec, views: readonly (StationShiftView | undefined)[], final: boolean, ts: number): void {
    const first = views[0];
    if (first === undefined || views.length !== line.stations.length) return;
    const key = first.window.instance.key;
    const stations: { station: string; figures: OeeFigures }[] = [];
    for (const view of views) {
      if (view === undefined || view.window.instance.key !== key) return;
      stations.push({ station: view.station, figures: view.figures });
    }
    const { id, seq } = this.seqs.next(line.id);
    const instance = first.window.instance;
    this.emit({
      type: 'ledger',
      id,
      line: line.id,
      seq,
      ts,
      agentId: this.agentId,
      window: { shift: instance.name, start: instance.startWall, end: instance.endWall },
      final,
      outputStation: line.outputStation,
      stations,
    });
  }
}
