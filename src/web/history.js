// @ts-check
// The history page (/history, docs/dashboard.md#history): a production manager picks a past
// shift, day or week of the line on screen (?line=, as on the live page) and sees its figures.
// It reads /api/snapshot once (the lines and the plant's time zone), /api/history/shifts for the
// trend and the choices, /api/history/period for the picked period, and /api/session and
// /api/reports for the Reports panel (history-reports.js). Nothing here is live: a
// period that is over does not change.
import { ApiError, makeReport, session } from './actions.js';
import { $, el } from './dom.js';
import { defaultPeriod, periodsOf } from './history-periods.js';
import { renderPeriod } from './history-render.js';
import { createReportsPanel } from './history-reports.js';
import { drawTrend, TREND_SERIES } from './history-trend.js';
import { addressOfLine, chooseLine, lineFromAddress } from './line-choice.js';

/** @import { DashboardView } from '../server/view-model.js' */
/** @import { HistoryPeriodView, HistoryShiftView } from '../server/history-view.js' */
/** @import { PeriodChoice } from './history-periods.js' */
/** @import { TrendPoint } from './history-trend.js' */

/**
 * @template T what the route answers: the server's word, not checked here
 * @param {string} path
 * @returns {Promise<T>}
 */
async function getJson(path) {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) {
    /** @type {{ error?: { code?: string, message?: string } } | null} */
    const body = await res.json().catch(() => null);
    const code = body?.error?.code ?? `HTTP_${res.status}`;
    throw new ApiError(
      code === 'UNAUTHORIZED'
        ? 'This page needs a login: open the live page, log in there, then come back.'
        : `${code}: ${body?.error?.message ?? res.statusText}`,
      code,
      res.status,
    );
  }
  return /** @type {T} */ (await res.json());
}

const state = {
  line: '',
  timeZone: 'UTC',
  /** @type {HistoryShiftView[]} */
  shifts: [],
  /** @type {{ shifts: PeriodChoice[], days: PeriodChoice[], weeks: PeriodChoice[] }} */
  periods: { shifts: [], days: [], weeks: [] },
  /** @type {PeriodChoice | undefined} */
  picked: undefined,
  /** @type {ReturnType<typeof createReportsPanel> | undefined} */
  reports: undefined,
};

/** @param {string} message */
function notice(message) {
  const p = $('h-notice');
  p.textContent = message;
  p.hidden = message === '';
}

function drawTrendChart() {
  const picked = state.picked;
  /** @type {TrendPoint[]} */
  const points = state.shifts.map((s) => ({
    label: `${new Intl.DateTimeFormat('en-GB', { timeZone: state.timeZone, day: 'numeric', month: 'short' }).format(new Date(s.start))} ${s.shift ?? 'day'}`,
    availability: s.figures.availability,
    performance: s.figures.performance,
    quality: s.figures.quality,
    oee: s.figures.oee,
    selected: picked !== undefined && s.start >= picked.from && s.start < picked.to,
  }));
  drawTrend($('h-trend-chart', HTMLCanvasElement), points);
}

/** The choices of the picked kind, the picked one selected. */
function fillPeriodSelect() {
  const kind = /** @type {'shift' | 'day' | 'week'} */ ($('h-kind', HTMLSelectElement).value);
  const choices = kind === 'shift' ? state.periods.shifts : kind === 'day' ? state.periods.days : state.periods.weeks;
  const select = $('h-period', HTMLSelectElement);
  select.replaceChildren(
    ...choices.map((c) => {
      const option = el('option', '', c.label);
      option.value = c.key;
      return option;
    }),
  );
  if (state.picked === undefined || state.picked.kind !== kind)
    state.picked = kind === 'shift' ? defaultPeriod(choices) : choices[0];
  if (state.picked !== undefined) select.value = state.picked.key;
}

async function showPicked() {
  const picked = state.picked;
  drawTrendChart();
  state.reports?.show(picked);
  const main = $('h-main');
  if (picked === undefined) {
    notice('No shift recorded in the local history yet.');
    main.setAttribute('aria-busy', 'false');
    return;
  }
  main.setAttribute('aria-busy', 'true');
  try {
    const q = new URLSearchParams({ line: state.line, from: String(picked.from), to: String(picked.to) });
    const period = /** @type {HistoryPeriodView} */ (await getJson(`/api/history/period?${q}`));
    if (state.picked !== picked) return; // another pick came first
    renderPeriod(period, state.timeZone, picked.label);
    notice('');
  } catch (err) {
    notice(err instanceof Error ? err.message : String(err));
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

function setupLegend() {
  const legend = $('h-legend');
  for (const s of TREND_SERIES) {
    const sw = el('span', 'sw');
    sw.style.background = s.color;
    const li = el('li');
    li.append(sw, s.name);
    legend.append(li);
  }
}

async function start() {
  setupLegend();
  try {
    const view = /** @type {DashboardView} */ (await getJson('/api/snapshot'));
    state.timeZone = view.timezone;
    const chosen = chooseLine(
      view.lines.map((l) => l.id),
      lineFromAddress(location.search, location.hash),
    );
    state.line = chosen.id ?? '';
    const lineSelect = $('h-line', HTMLSelectElement);
    for (const l of view.lines) {
      const option = el('option', '', l.name);
      option.value = l.id;
      lineSelect.append(option);
    }
    lineSelect.value = state.line;
    // With one line there is nothing to choose: its name is in the header.
    $('h-line-label').hidden = view.lines.length < 2;
    lineSelect.addEventListener('change', () => location.assign(addressOfLine(location.href, lineSelect.value)));
    $('h-line-name').textContent = view.lines.find((l) => l.id === state.line)?.name ?? state.line;
    $('h-live', HTMLAnchorElement).href = `/?${new URLSearchParams({ line: state.line })}`;
    if (chosen.unknown !== null) notice(`No line "${chosen.unknown}" on this agent: showing ${state.line}.`);

    const list = /** @type {{ shifts: HistoryShiftView[] }} */ (
      await getJson(`/api/history/shifts?${new URLSearchParams({ line: state.line })}`)
    );
    state.shifts = list.shifts;
    state.periods = periodsOf(list.shifts, state.timeZone);
    fillPeriodSelect();
    // Make report only for a session that may (the live page's login: the cookie serves both).
    const who = await session();
    state.reports = createReportsPanel(
      { getJson, make: makeReport },
      { line: state.line, timeZone: state.timeZone, canMake: who.permissions.includes('makeReports') },
    );
    void state.reports.refresh();
    $('h-kind', HTMLSelectElement).addEventListener('change', () => {
      fillPeriodSelect();
      void showPicked();
    });
    $('h-period', HTMLSelectElement).addEventListener('change', (e) => {
      const key = /** @type {HTMLSelectElement} */ (e.target).value;
      const all = [...state.periods.shifts, ...state.periods.days, ...state.periods.weeks];
      state.picked = all.find((c) => c.key === key);
      void showPicked();
    });
    new window.ResizeObserver(() => drawTrendChart()).observe($('h-trend-chart'));
    await showPicked();
  } catch (err) {
    notice(err instanceof Error ? err.message : String(err));
    $('h-main').setAttribute('aria-busy', 'false');
  }
}

void start();
