/**
 * The Pareto shows causes, not symptoms (docs/oee.md#waits): pack's starved time appears on weld's
 * wire-feed bar, and a tile says who a waiting station waits for.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { causesOf as untypedCausesOf, waitingText as untypedWaitingText } from '../../../src/web/causes.js';
import type { StationView } from '../../../src/server/view-model.js';

const MIN = 60_000;

interface CauseItem {
  label: string;
  ms: number;
  waitMs: number;
  waits: string[];
  outside: boolean;
}
const causesOf = untypedCausesOf as (stations: StationView[], labelOf: (r: string) => string) => CauseItem[];
const waitingText = untypedWaitingText as (w: Record<string, unknown>, kind: string) => string;

function station(id: string, name: string, figures: Record<string, unknown>): StationView {
  return { id, name, oee: { figures } } as unknown as StationView;
}

const labels: Record<string, string> = { wire_feed: 'Wire feed fault', unassigned: 'Unassigned' };
const labelOf = (r: string) => labels[r] ?? r;

describe('losses by cause', () => {
  it('adds the waits a breakdown caused to its bar and puts waits from outside the line last', () => {
    const items = causesOf(
      [
        station('press', 'Press', {
          downtimeByReason: { blocked: 5 * MIN },
          waits: [{ kind: 'blocked', cause: 'weld', state: 'down', reason: 'wire_feed', ms: 5 * MIN }],
        }),
        station('weld', 'Spot weld', { downtimeByReason: { wire_feed: 12 * MIN, unassigned: 2 * MIN } }),
        station('pack', 'Packing', {
          downtimeByReason: { starved: 11 * MIN },
          waits: [
            { kind: 'starved', cause: 'weld', state: 'down', reason: 'wire_feed', ms: 7 * MIN },
            { kind: 'starved', cause: 'weld', state: 'running', ms: 3 * MIN },
            { kind: 'starved', state: 'starved', ms: 1 * MIN },
          ],
        }),
      ],
      labelOf,
    );
    expect(items.map((i) => [i.label, i.ms, i.waitMs])).toEqual([
      ['Spot weld · Wire feed fault', 24 * MIN, 12 * MIN],
      ['Spot weld · slower (running)', 3 * MIN, 3 * MIN],
      ['Spot weld · Unassigned', 2 * MIN, 0],
      ['Starved: no supply', 1 * MIN, 0],
    ]);
    expect(items[0]?.waits).toEqual(['Press blocked 5m 00s', 'Packing starved 7m 00s']);
    // Nothing is lost or counted twice: the bars add up to all downtime and all waiting.
    expect(items.reduce((n, i) => n + i.ms, 0)).toBe(30 * MIN);
  });

  it('says who a tile waits for', () => {
    expect(
      waitingText(
        { cause: 'weld', causeName: 'Spot weld', state: 'down', reason: 'wire_feed', reasonLabel: 'Wire feed fault' },
        'starved',
      ),
    ).toBe('← Spot weld down: Wire feed fault');
    expect(waitingText({ cause: 'weld', causeName: 'Spot weld', state: 'small_stop' }, 'starved')).toBe(
      '← Spot weld small stops',
    );
    expect(waitingText({ state: 'blocked' }, 'blocked')).toBe('← no take-off after the line');
  });
});
