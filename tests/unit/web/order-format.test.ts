// What the header's order block says (src/web/order-format.js): progress, ETA in plant time with
// its day when not today, the shift and due verdicts in words, and the due time typed into the
// form read as plant time. Plain browser JavaScript without DOM access, tested here directly.
import { describe, expect, it } from 'vitest';
import type { OrderView } from '../../../src/core/line-orders.js';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { formatPlantTime, orderFacts, plantTimeToIso } from '../../../src/web/order-format.js';

interface Verdict {
  text: string;
  cls: string;
}
interface OrderFacts {
  title: string;
  product: string;
  good: number;
  quantity: number;
  percent: number;
  progress: string;
  progressText: string;
  remaining: string;
  eta: string;
  estimate: boolean;
  shift?: Verdict;
  due?: Verdict;
}
const facts = orderFacts as (
  order: OrderView,
  context: { timezone: string; now: number; productName?: string },
) => OrderFacts;

const BERLIN = 'Europe/Berlin';
// Monday 24 November 2025, 09:00 in Berlin.
const NOW = Date.parse('2025-11-24T09:00:00+01:00');
const at = (iso: string) => Date.parse(iso);

function order(partial: Partial<OrderView> = {}): OrderView {
  return {
    id: '4711',
    product: 'bracket-b',
    quantity: 1200,
    good: 300,
    reject: 4,
    remaining: 900,
    status: 'running',
    start: NOW - 3600_000,
    forecast: { eta: at('2025-11-24T13:05:00+01:00'), paceMs: 18_000, basis: 'rolling-oee', finishesThisShift: true },
    ...partial,
  };
}

describe('the order block in words', () => {
  it('shows progress as a number and a share, what is left and the ETA in plant time', () => {
    const f = facts(order(), { timezone: BERLIN, now: NOW, productName: 'Bracket B' });
    expect(f).toMatchObject({
      title: 'Order 4711',
      product: 'Bracket B',
      good: 300,
      quantity: 1200,
      percent: 25,
      progress: '300 / 1\u202f200',
      progressText: '300 of 1\u202f200 good parts',
      remaining: '900 left',
      eta: 'ETA 13:05',
      estimate: false,
      shift: { text: 'finishes this shift', cls: 'good' },
    });
    expect(f.due).toBeUndefined();
    // The plant's clock, not the zone of whoever runs the test.
    expect(facts(order(), { timezone: 'America/New_York', now: NOW }).eta).toBe('ETA 07:05');
    // Without the config's name, the product's id.
    expect(facts(order(), { timezone: BERLIN, now: NOW }).product).toBe('bracket-b');
    expect(facts(order({ product: undefined }), { timezone: BERLIN, now: NOW }).product).toBe('');
  });

  it('says when the order runs past the shift end and whether it makes its due time, in words and colour', () => {
    const f = facts(
      order({
        due: at('2025-11-24T12:00:00+01:00'),
        forecast: {
          eta: at('2025-11-24T15:30:00+01:00'),
          paceMs: 30_000,
          basis: 'rolling-oee',
          finishesThisShift: false,
          onTime: false,
        },
      }),
      { timezone: BERLIN, now: NOW },
    );
    expect(f.shift).toEqual({ text: 'runs past shift end', cls: 'warn' });
    expect(f.due).toEqual({ text: 'late (due 12:00)', cls: 'bad' });
    const onTime = facts(
      order({
        due: at('2025-11-25T08:00:00+01:00'),
        forecast: { eta: at('2025-11-24T13:05:00+01:00'), paceMs: 18_000, basis: 'rolling-oee', onTime: true },
      }),
      { timezone: BERLIN, now: NOW },
    );
    // A due time on another day names the day; outside shifts there is no shift verdict.
    expect(onTime.due).toEqual({ text: 'on time (due Tue 25 Nov 08:00)', cls: 'good' });
    expect(onTime.shift).toBeUndefined();
  });

  it('has no ETA at a standstill and marks an ETA at the ideal rate as an estimate', () => {
    const stalled = facts(
      order({ forecast: { paceMs: Number.MAX_SAFE_INTEGER, basis: 'rolling-oee', finishesThisShift: false } }),
      { timezone: BERLIN, now: NOW },
    );
    expect(stalled.eta).toBe('no ETA at the current rate');
    expect(stalled.estimate).toBe(false);
    const ideal = facts(
      order({
        forecast: { eta: at('2025-11-24T12:00:00+01:00'), paceMs: 12_000, basis: 'ideal', finishesThisShift: true },
      }),
      { timezone: BERLIN, now: NOW },
    );
    expect(ideal.eta).toBe('ETA 12:00');
    expect(ideal.estimate).toBe(true);
  });

  it('keeps the bar within 0..100 % and writes the day of an ETA that is not today', () => {
    expect(facts(order({ good: 1300, remaining: 0 }), { timezone: BERLIN, now: NOW }).percent).toBe(100);
    expect(facts(order({ quantity: 0, good: 0 }), { timezone: BERLIN, now: NOW }).percent).toBe(0);
    // 00:30 in Berlin is still the evening before in New York: "today" is the plant's day.
    const eta = at('2025-11-25T00:30:00+01:00');
    expect(formatPlantTime(eta, NOW, BERLIN)).toBe('Tue 25 Nov 00:30');
    expect(formatPlantTime(eta, at('2025-11-25T00:10:00+01:00'), BERLIN)).toBe('00:30');
    expect(formatPlantTime(eta, NOW, 'America/New_York')).toBe('18:30');
  });
});

describe('a due time typed into the form, read as plant time', () => {
  it('gets the plant zone’s offset at that date, whatever the browser’s zone', () => {
    expect(plantTimeToIso('2025-11-24T14:00', BERLIN)).toBe('2025-11-24T14:00:00+01:00');
    expect(plantTimeToIso('2025-07-01T06:15', BERLIN)).toBe('2025-07-01T06:15:00+02:00');
    expect(plantTimeToIso('2025-11-24T14:00', 'America/New_York')).toBe('2025-11-24T14:00:00-05:00');
    expect(plantTimeToIso('2025-11-24T14:00', 'Asia/Kolkata')).toBe('2025-11-24T14:00:00+05:30');
    expect(plantTimeToIso('2025-11-24T14:00:30', 'UTC')).toBe('2025-11-24T14:00:30+00:00');
  });

  it('reads a time the spring change skips an hour on, and a repeated one as its later occurrence', () => {
    const skipped = plantTimeToIso('2025-03-30T02:30', BERLIN);
    expect(skipped).toBe('2025-03-30T02:30:00+01:00');
    expect(new Date(skipped).toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(plantTimeToIso('2025-10-26T02:30', BERLIN)).toBe('2025-10-26T02:30:00+01:00');
  });

  it('refuses what is no date and time', () => {
    for (const bad of ['', 'tomorrow', '2025-02-30T10:00', '2025-13-01T10:00', '2025-06-01T24:00', '2025-06-01 10:00'])
      expect(plantTimeToIso(bad, BERLIN), bad).toBeUndefined();
  });
});
