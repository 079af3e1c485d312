// @ts-check
// The history page's panels for one period (/api/history/period): the period's figures, the
// downtime Pareto by cause (causes.js, as on the live page), stations with MTBF/MTTR, output vs
// target per shift, and the alerts raised with how they ended. Every figure is text, except the
// Pareto whose bars are also in its aria-label (charts.js).
import { causesOf } from './causes.js';
import { drawPareto } from './charts.js';
import { $, el } from './dom.js';
import { formatCount, formatDuration, formatPercent, formatTime } from './format.js';
import { sizePareto } from './pareto-size.js';
import { plantDate } from './history-periods.js';

/** @import { HistoryPeriodView } from '../server/history-view.js' */
/** @import { PeriodFigures } from '../outputs/history/period.js' */
/** @import { StationView } from '../server/view-model.js' */

/**
 * @param {HTMLTableElement} table
 * @param {readonly (readonly string[])[]} rows
 * @param {string} empty what an empty table says
 */
function fillTable(table, rows, empty) {
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', 'muted', empty);
    td.colSpan = table.tHead?.rows[0]?.cells.length ?? 1;
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const cells of rows) {
    const tr = el('tr');
    for (const text of cells) tr.append(el('td', '', text));
    body.append(tr);
  }
}

/** @param {PeriodFigures} f */
function kpis(f) {
  return [
    ['OEE', formatPercent(f.oee), 'h-kpi-oee'],
    ['Availability', formatPercent(f.availability), 'h-kpi-a'],
    ['Performance', formatPercent(f.performance), 'h-kpi-p'],
    ['Quality', formatPercent(f.quality), 'h-kpi-q'],
    ['Good parts', formatCount(f.counts.good), 'h-kpi-good'],
    ['Rejects', formatCount(f.counts.reject), 'h-kpi-reject'],
  ];
}

/**
 * @param {HistoryPeriodView} period
 * @param {string} timeZone
 * @param {string} label the period's name, as picked
 */
export function renderPeriod(period, timeZone, label) {
  $('h-period-label').textContent = label;
  const list = $('h-kpis');
  list.replaceChildren();
  for (const [name, value, id] of kpis(period.figures)) {
    const div = el('div', 'h-kpi');
    div.id = id ?? '';
    div.append(el('dt', '', name), el('dd', '', value));
    list.append(div);
  }
  const f = period.figures;
  $('h-times').textContent =
    period.shifts.length === 0
      ? 'No shift recorded in this period.'
      : `${period.shifts.length} shift${period.shifts.length === 1 ? '' : 's'} · planned ${formatDuration(f.plannedTimeMs)} · run ${formatDuration(f.runTimeMs)} · down ${formatDuration(f.downtimeMs)} · starved ${formatDuration(f.starvedMs)} · blocked ${formatDuration(f.blockedMs)} · summed from times and counts`;

  renderPareto(period);
  fillTable(
    $('h-stations-table', HTMLTableElement),
    period.stations.map((s) => [
      s.name,
      formatPercent(s.figures.oee),
      formatPercent(s.figures.availability),
      formatPercent(s.figures.performance),
      formatPercent(s.figures.quality),
      formatDuration(s.figures.downtimeMs),
      String(s.figures.downIntervals),
      s.figures.mtbfMs === undefined ? '–' : formatDuration(s.figures.mtbfMs),
      s.figures.mttrMs === undefined ? '–' : formatDuration(s.figures.mttrMs),
    ]),
    'No stations',
  );
  fillTable(
    $('h-output-table', HTMLTableElement),
    period.output.map((o) => {
      const diff = o.target === undefined ? undefined : o.good - o.target;
      return [
        `${plantDate(o.start, timeZone).slice(5)} ${o.shift ?? 'day'}${o.final ? '' : ' (running)'}`,
        formatCount(o.good),
        o.target === undefined ? '–' : formatCount(o.target),
        diff === undefined ? '–' : diff >= 0 ? `+${formatCount(diff)}` : `−${formatCount(-diff)}`,
      ];
    }),
    'No shift recorded',
  );
  const names = new Map(period.stations.map((s) => [s.station, s.name]));
  fillTable(
    $('h-alerts-table', HTMLTableElement),
    period.alerts.map((a) => [
      `${plantDate(a.raisedAt, timeZone).slice(5)} ${formatTime(a.raisedAt, timeZone)}`,
      names.get(a.station) ?? a.station,
      `${a.kind} (${a.severity})`,
      a.status === 'resolved'
        ? `resolved ${a.resolvedAt === undefined ? '' : formatTime(a.resolvedAt, timeZone)}${a.acknowledgedBy ? `, acknowledged by ${a.acknowledgedBy}` : ''}`
        : a.status === 'acknowledged'
          ? `acknowledged by ${a.acknowledgedBy ?? 'someone'}, still open`
          : 'still active',
    ]),
    'No alerts in this period',
  );
}

/** @param {HistoryPeriodView} period */
function renderPareto(period) {
  // causesOf reads a station's id, name and figures (downtimeByReason, waits): the period's
  // summed figures have both, in the same shapes as a shift's.
  const stations = /** @type {StationView[]} */ (
    /** @type {unknown} */ (period.stations.map((s) => ({ id: s.station, name: s.name, oee: { figures: s.figures } })))
  );
  const items = causesOf(stations, (reason) => period.reasons[reason] ?? reason);
  const canvas = $('h-pareto-chart', HTMLCanvasElement);
  sizePareto(canvas, items.length);
  drawPareto(canvas, items, 'No downtime in this period');
  if (items.length === 0) canvas.setAttribute('aria-label', 'No downtime in this period');
}
