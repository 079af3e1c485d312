// What the history page's Reports panel says of a report (src/web/report-format.js): periods named
// as the period picker names them, in plant time; deliveries in words; the shown period's report;
// the POST body that makes it; and the bounded list.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { periodsOf } from '../../../src/web/history-periods.js';
import {
  boundedReports,
  deliveryText,
  fileLinks,
  isReportOf,
  madeLabel,
  makeReportBody,
  reportLabel,
  // @ts-expect-error -- plain JS module without type declarations (the page has no build step)
} from '../../../src/web/report-format.js';

const H = 3_600_000;
const TZ = 'Europe/Berlin';
// Thursday 27 Nov 2025, night shift 22:00–06:00 Berlin (21:00–05:00 UTC).
const nightStart = Date.UTC(2025, 10, 27, 21);
const iso = (ms: number): string => new Date(ms).toISOString();
const files = ['oee.csv', 'report.html', 'cycles.csv', 'report.pdf', 'downtime.csv'].map((name) => ({
  name,
  bytes: 100,
  url: `/api/reports/x/${name}`,
}));
const shiftReport = {
  id: 'line1.20251127T210000Z-night',
  line: 'line1',
  period: 'shift',
  shift: 'night',
  start: iso(nightStart),
  end: iso(nightStart + 8 * H),
  generatedAt: iso(nightStart + 8 * H + 2 * 60_000),
  files,
};
// A day and a week start at the plant-local midnight: 23:00 UTC the evening before in winter.
const dayReport = {
  ...shiftReport,
  id: 'line1.20251126T230000Z+day',
  period: 'day',
  start: iso(Date.UTC(2025, 10, 26, 23)),
};
const weekReport = {
  ...shiftReport,
  id: 'line1.20251123T230000Z+week',
  period: 'week',
  start: iso(Date.UTC(2025, 10, 23, 23)),
};

interface Choice {
  kind: string;
  key: string;
  label: string;
  from: number;
}
const shifts = [0, 1, 2, 3].map((k) => ({
  shift: ['early', 'late', 'night', 'early'][k],
  start: Date.UTC(2025, 10, 27, 5) + k * 8 * H,
  end: Date.UTC(2025, 10, 27, 5) + (k + 1) * 8 * H,
  final: true,
}));
const choices = periodsOf(shifts, TZ) as { shifts: Choice[]; days: Choice[]; weeks: Choice[] };
const night = choices.shifts.find((c) => c.from === nightStart) as Choice;
const thursday = choices.days.find((c) => c.label === 'Thu 27 Nov') as Choice;
const week = choices.weeks[0] as Choice;

describe('the reports panel words', () => {
  it('names a report’s period exactly as the period picker names it', () => {
    expect(reportLabel(shiftReport, TZ)).toBe('Thu 27 Nov night 22:00–06:00');
    expect(reportLabel(shiftReport, TZ)).toBe(night.label);
    expect(reportLabel(dayReport, TZ)).toBe('Thu 27 Nov');
    expect(reportLabel(dayReport, TZ)).toBe(thursday.label);
    expect(reportLabel(weekReport, TZ)).toBe('Week of Mon 24 Nov');
    expect(reportLabel(weekReport, TZ)).toBe(week.label);
    // In New York the same instants are other days: plant time is the config's zone.
    expect(reportLabel(dayReport, 'America/New_York')).toBe('Wed 26 Nov');
    expect(madeLabel(shiftReport, TZ)).toBe('made Fri 28 Nov 06:02');
  });

  it.each([
    ['email', { status: 'sent', attempts: 1, sentAt: iso(nightStart + 8 * H + 2 * 60_000) }, 'emailed 06:02'],
    ['email', { status: 'sent', attempts: 1 }, 'emailed'],
    [
      'email',
      { status: 'pending', attempts: 3, lastError: 'EMAIL_CONNECT smtp.plant:587: refused' },
      'email pending (3 attempts): EMAIL_CONNECT smtp.plant:587: refused',
    ],
    ['email', { status: 'pending', attempts: 0 }, 'email pending'],
    ['email', { status: 'pending', attempts: 1, lastError: 'E' }, 'email pending (1 attempt): E'],
    ['email', { status: 'failed', attempts: 9, lastError: 'EMAIL_AUTH 535' }, 'email failed: EMAIL_AUTH 535'],
    ['email', { status: 'failed', attempts: 9 }, 'email failed after 9 attempts'],
    ['webhook', { status: 'sent', attempts: 2, sentAt: iso(nightStart + 8 * H + 60_000) }, 'webhook sent 06:01'],
    ['webhook', { status: 'failed', attempts: 5, lastError: 'WEBHOOK_HTTP 500' }, 'webhook failed: WEBHOOK_HTTP 500'],
    ['webhook', undefined, undefined],
  ])('says how a delivery went: %s %j', (kind, state, text) => {
    expect(deliveryText(kind, state, TZ)).toBe(text);
  });

  it('links PDF, HTML, then the CSV files', () => {
    expect(fileLinks(shiftReport).map((f: { text: string; csv: boolean }) => [f.text, f.csv])).toEqual([
      ['PDF', false],
      ['HTML', false],
      ['downtime', true],
      ['cycles', true],
      ['OEE', true],
    ]);
  });

  it('finds the shown period’s report: a shift by its start, a day or week by its plant date', () => {
    expect(isReportOf(shiftReport, night, 'line1', TZ)).toBe(true);
    expect(isReportOf(shiftReport, night, 'line2', TZ)).toBe(false);
    expect(isReportOf(shiftReport, thursday, 'line1', TZ)).toBe(false);
    expect(isReportOf(dayReport, thursday, 'line1', TZ)).toBe(true);
    expect(isReportOf(dayReport, night, 'line1', TZ)).toBe(false);
    expect(isReportOf(weekReport, week, 'line1', TZ)).toBe(true);
    expect(isReportOf(weekReport, thursday, 'line1', TZ)).toBe(false);
  });

  it('asks for a shift by its start and a day or week by its plant-local date', () => {
    expect(makeReportBody(night, 'line1')).toEqual({ line: 'line1', start: nightStart });
    expect(makeReportBody(thursday, 'line1')).toEqual({ line: 'line1', period: 'day', date: '2025-11-27' });
    expect(makeReportBody(week, 'line1')).toEqual({ line: 'line1', period: 'week', date: '2025-11-24' });
  });

  it('lists the newest few, and keeps the highlighted one in view when it is older', () => {
    const list = Array.from({ length: 8 }, (_, k) => ({ id: `r${k}` }));
    const ids = (rs: { id: string }[]): string[] => rs.map((r) => r.id);
    expect(ids(boundedReports(list, 3, undefined))).toEqual(['r0', 'r1', 'r2']);
    expect(ids(boundedReports(list, 3, 'r1'))).toEqual(['r0', 'r1', 'r2']);
    expect(ids(boundedReports(list, 3, 'r6'))).toEqual(['r0', 'r1', 'r2', 'r6']);
    expect(ids(boundedReports(list, 3, 'gone'))).toEqual(['r0', 'r1', 'r2']);
  });
});
