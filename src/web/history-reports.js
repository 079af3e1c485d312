// @ts-check
// The history page's Reports panel (docs/dashboard.md#the-history-page-history): the line's report
// files, newest first and bounded, the shown period's highlighted, each with download links and how
// its email and webhook went (read again every minute); and Make report for the shown period, offered only to a session with
// the makeReports permission (the server checks it again). An agent without reports hides the panel.
import { $, el } from './dom.js';
import {
  boundedReports,
  deliveryText,
  fileLinks,
  isReportOf,
  madeLabel,
  makeReportBody,
  reportLabel,
} from './report-format.js';

/** @import { PeriodChoice } from './history-periods.js' */
/** @import { MakeReportBody, ReportView } from './report-format.js' */

/** Rows listed before "Show all": a TV shows them without scrolling. */
const SHOWN = 4;
/** How often the list is read again while the page is in sight: deliveries finish after the page opened. */
const REFRESH_MS = 60_000;

/**
 * @typedef {object} ReportsPorts
 * @property {(path: string) => Promise<unknown>} getJson throws an Error with `code` on a refusal
 * @property {(body: MakeReportBody) => Promise<{ id: string }>} make POST /api/reports
 */

/**
 * @param {ReportsPorts} ports
 * @param {{ line: string, timeZone: string, canMake: boolean }} settings
 */
export function createReportsPanel(ports, settings) {
  const { line, timeZone, canMake } = settings;
  const panel = $('h-reports');
  const list = $('h-reports-list');
  const error = $('h-reports-error');
  const more = $('h-reports-more', HTMLButtonElement);
  const makeButton = $('h-make-report', HTMLButtonElement);
  /** @type {ReportView[]} */
  let reports = [];
  /** @type {PeriodChoice | undefined} */
  let picked;
  /** The id of the report just made: highlighted whatever the period. */
  let made = '';
  let all = false;
  let making = false;

  /** @param {string} message */
  const showError = (message) => {
    error.textContent = message;
    error.hidden = message === '';
  };

  /** @param {ReportView} r */
  const row = (r) => {
    const label = reportLabel(r, timeZone);
    const li = el('li', 'h-report');
    li.dataset.id = r.id;
    const current = r.id === made || (picked !== undefined && isReportOf(r, picked, line, timeZone));
    if (current) {
      li.classList.add('is-shown');
      li.setAttribute('aria-current', 'true');
    }
    const head = el('div', 'h-report-head');
    head.append(el('span', 'h-report-period', label), el('span', 'muted h-report-made', madeLabel(r, timeZone)));
    const files = el('div', 'h-report-files');
    let csv = false;
    for (const f of fileLinks(r)) {
      if (f.csv && !csv) files.append(el('span', 'muted', 'CSV'));
      csv ||= f.csv;
      const a = el('a', '', f.text);
      a.href = f.url;
      a.download = `${r.id}-${f.name}`;
      a.setAttribute('aria-label', `${f.csv ? `${f.text} CSV` : f.text} of ${label}`);
      files.append(a);
    }
    // Deliveries follow the links on their line (wrapping when long): two lines a report on a TV.
    for (const [kind, d] of /** @type {const} */ ([
      ['email', r.email],
      ['webhook', r.webhook],
    ])) {
      const text = deliveryText(kind, d, timeZone);
      if (text === undefined) continue;
      files.append(el('span', `h-report-delivery${d?.status === 'sent' ? '' : ' is-bad'}`, text));
    }
    li.append(head, files);
    return li;
  };

  const render = () => {
    const current = reports.find(
      (r) => r.id === made || (picked !== undefined && isReportOf(r, picked, line, timeZone)),
    )?.id;
    const shown = all ? reports : boundedReports(reports, SHOWN, current);
    list.replaceChildren(...shown.map(row));
    list.classList.toggle('is-all', all);
    if (reports.length === 0) list.append(el('li', 'muted', 'No reports of this line yet.'));
    more.hidden = reports.length <= SHOWN;
    more.textContent = all ? 'Show fewer' : `Show all ${reports.length}`;
    more.setAttribute('aria-expanded', String(all));
    makeButton.hidden = !canMake || picked === undefined;
    makeButton.disabled = making;
    makeButton.textContent = making ? 'Making…' : 'Make report';
    // The name says which period (the visible text cannot, on a TV-sized button), and the state.
    if (picked !== undefined)
      makeButton.setAttribute(
        'aria-label',
        `${making ? 'Making' : 'Make'} the report of ${picked.label}${making ? '…' : ''}`,
      );
  };

  /** @param {{ quiet?: boolean }} [opts] quiet: a background read keeps the list on a failure */
  const refresh = async (opts = {}) => {
    try {
      const answer = /** @type {{ reports: ReportView[] }} */ (
        await ports.getJson(`/api/reports?${new URLSearchParams({ line })}`)
      );
      reports = answer.reports;
      panel.hidden = false;
      showError('');
    } catch (err) {
      // An agent without report files (no reports port) has nothing to list: no panel.
      if (/** @type {{ code?: string }} */ (err)?.code === 'NOT_AVAILABLE') {
        panel.hidden = true;
        return;
      }
      if (opts.quiet === true) return;
      panel.hidden = false;
      showError(err instanceof Error ? err.message : String(err));
    }
    render();
  };

  // An email or webhook that goes out (or fails) after the page opened shows without a reload: the
  // list is read again every minute while the page is in sight, and when it comes back into sight.
  const background = () => {
    if (document.visibilityState === 'visible' && !making) void refresh({ quiet: true });
  };
  setInterval(background, REFRESH_MS);
  document.addEventListener('visibilitychange', background);

  more.addEventListener('click', () => {
    all = !all;
    render();
  });
  makeButton.addEventListener('click', () => {
    if (picked === undefined || making) return;
    const body = makeReportBody(picked, line);
    making = true;
    showError('');
    render();
    void ports
      .make(body)
      .then(async (r) => {
        made = r.id;
        await refresh();
      })
      .catch((/** @type {unknown} */ err) => {
        // fetch rejects with a TypeError when no answer came at all (agent stopped, network down).
        const why =
          err instanceof TypeError
            ? `no answer from the agent (${err.message})`
            : err instanceof Error
              ? err.message
              : String(err);
        showError(`Could not make the report: ${why}`);
      })
      .finally(() => {
        making = false;
        render();
        makeButton.focus();
      });
  });

  return {
    /** Lists the reports again (the period shown first). */
    refresh,
    /** @param {PeriodChoice | undefined} choice the period shown now */
    show(choice) {
      picked = choice;
      made = '';
      render();
    },
  };
}
