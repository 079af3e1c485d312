/** Which events the spool may drop past its bound: only periodic OEE snapshots (and samples). */
import { describe, expect, it } from 'vitest';
import { eventPriority } from '../../../src/outputs/spool/index.js';
import { cycle, downtime, oee, state } from '../../integration/spool/make-events.js';

describe('spool drop priority', () => {
  const t = Date.UTC(2026, 2, 2, 6);
  it.each([
    ['cycle', 2, cycle('press', 1, t)],
    ['state', 2, state('press', 2, t, 'down', 'running')],
    ['downtime', 2, downtime('press', 3, t, 'started', t)],
    ['final OEE of a shift', 2, oee('press', 4, t, true)],
    ['periodic OEE snapshot', 1, oee('press', 5, t, false)],
  ] as const)('%s has priority %i', (_name, priority, event) => {
    expect(eventPriority(event)).toBe(priority);
  });
});
