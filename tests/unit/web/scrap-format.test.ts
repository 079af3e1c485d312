// What the "Rejects by reason" list says and what the "Record scrap" form sends
// (src/web/scrap-format.js): labels from the config, most rejects first, the start-up /
// production split, nothing for a shift without rejects, and the form's checks.
import { describe, expect, it } from 'vitest';
import type { OeeFigures } from '../../../src/core/events.js';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { qualityText, rejectsSummary, scrapRequest } from '../../../src/web/scrap-format.js';

interface RejectRow {
  reason: string;
  label: string;
  count: number;
  share: number;
  width: number;
  text: string;
}
interface RejectsSummary {
  total: number;
  totalText: string;
  split: string;
  rows: RejectRow[];
}
const summary = rejectsSummary as (
  figures: OeeFigures | undefined,
  scrapReasons: ReadonlyArray<{ id: string; label: string }>,
) => RejectsSummary | null;
const quality = qualityText as (figures: OeeFigures | undefined) => string;
const request = scrapRequest as (fields: { reason: string; count: string; note: string }) => unknown;

const REASONS = [
  { id: 'burr', label: 'Burr on the edge' },
  { id: 'crack', label: 'Crack' },
  { id: 'dimension', label: 'Out of tolerance' },
];

function figures(good: number, rejects?: OeeFigures['rejects'], reject = 0): OeeFigures {
  const r = rejects === undefined ? reject : rejects.startup + rejects.production;
  // Only counts and rejects matter here; the rest is any valid figure.
  return {
    counts: { total: good + r, good, reject: r },
    quality: good + r === 0 ? 1 : good / (good + r),
    ...(rejects !== undefined ? { rejects } : {}),
  } as OeeFigures;
}

describe('rejects by reason (src/web/scrap-format.js)', () => {
  it('is nothing for a shift without rejects, or without figures', () => {
    expect(summary(undefined, REASONS)).toBeNull();
    expect(summary(figures(40, { startup: 0, production: 0, byReason: {} }), REASONS)).toBeNull();
    expect(summary(figures(40), REASONS)).toBeNull();
  });

  it('labels reasons from the config, most first, ties in config order, unassigned after the configured ones', () => {
    const s = summary(
      figures(40, { startup: 2, production: 8, byReason: { dimension: 4, unassigned: 2, crack: 2, burr: 2, gone: 0 } }),
      REASONS,
    );
    expect(s).toMatchObject({ total: 10, totalText: '10 rejects', split: '2 start-up · 8 production' });
    expect(s?.rows.map((r) => [r.label, r.count, r.share, r.width])).toEqual([
      ['Out of tolerance', 4, 40, 100],
      ['Burr on the edge', 2, 20, 50],
      ['Crack', 2, 20, 50],
      ['Unassigned', 2, 20, 50],
    ]);
    expect(s?.rows[0]?.text).toBe('Out of tolerance: 4 rejects, 40 %');
  });

  it('says one reject, and shows a reason the config no longer has by its id', () => {
    const s = summary(figures(5, { startup: 1, production: 0, byReason: { paint: 1 } }), REASONS);
    expect(s).toMatchObject({ totalText: '1 reject', split: '1 start-up · 0 production' });
    expect(s?.rows).toEqual([
      { reason: 'paint', label: 'paint', count: 1, share: 100, width: 100, text: 'paint: 1 reject, 100 %' },
    ]);
  });

  it('counts rejects of figures without the split as unassigned production rejects', () => {
    const s = summary(figures(5, undefined, 3), REASONS);
    expect(s).toMatchObject({ total: 3, split: '0 start-up · 3 production' });
    expect(s?.rows.map((r) => [r.label, r.count])).toEqual([['Unassigned', 3]]);
  });
});

describe('the good parts and quality the rejects leave (src/web/scrap-format.js)', () => {
  it('says good of made and the quality, and nothing without figures', () => {
    expect(quality(figures(1234, { startup: 0, production: 6, byReason: { dimension: 6 } }))).toBe(
      '1\u202f234 good of 1\u202f240 · quality 100%',
    );
    expect(quality(figures(17, { startup: 0, production: 3, byReason: { dimension: 3 } }))).toBe(
      '17 good of 20 · quality 85%',
    );
    expect(quality(undefined)).toBe('');
  });
});

describe('the Record scrap form (src/web/scrap-format.js)', () => {
  it('sends reason, a whole count and a note only when one was typed', () => {
    expect(request({ reason: 'dimension', count: ' 3 ', note: '  ' })).toEqual({ reason: 'dimension', count: 3 });
    expect(request({ reason: 'burr', count: '1', note: ' gauge check ' })).toEqual({
      reason: 'burr',
      count: 1,
      note: 'gauge check',
    });
  });

  it('says what is wrong before asking the server', () => {
    expect(request({ reason: '', count: '3', note: '' })).toBe('Choose a reason');
    for (const count of ['', '0', '-2', '1.5', 'abc'])
      expect(request({ reason: 'burr', count, note: '' }), count).toBe(
        'The count is a whole number of parts, at least 1',
      );
  });
});
