/**
 * Debounce decisions wait for edges still on their way, and only as long as edges have recently
 * been seen to take: a late burst must not be overtaken, a prompt line must not be held back.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/sample.js';
import { DecisionHorizon } from '../../../src/sources/gpio/decision-horizon.js';

function setup() {
  let now = 10_000;
  const clock: Clock = { monoMs: () => now, wallMs: () => now };
  return { horizon: new DecisionHorizon(clock), at: (ms: number) => (now = ms) };
}

const chardev = { deliveryGraceMs: 20, maxDeliveryLagMs: 2_000 };
const sysfs = { deliveryGraceMs: 0, maxDeliveryLagMs: 0 };

describe('decision horizon', () => {
  it('edges stamped on delivery (sysfs) are decided up to now', () => {
    const { horizon } = setup();
    horizon.noteEdge(9_000);
    expect(horizon.horizonMs(sysfs)).toBe(10_000);
  });

  it('prompt kernel-stamped edges: the driver grace', () => {
    const { horizon } = setup();
    horizon.noteEdge(9_999);
    expect(horizon.horizonMs(chardev)).toBe(9_980);
  });

  it('a burst delivered 70 ms late holds decisions back past it, then the hold decays', () => {
    const { horizon, at } = setup();
    horizon.noteEdge(9_930);
    expect(horizon.horizonMs(chardev)).toBe(10_000 - 75);
    at(10_300); // 300 ms of prompt delivery later: 70 - 30 = 40 ms of lag left
    expect(horizon.horizonMs(chardev)).toBe(10_300 - 45);
    at(11_000);
    expect(horizon.horizonMs(chardev)).toBe(11_000 - 20);
  });

  it('the hold is capped by the driver', () => {
    const { horizon } = setup();
    horizon.noteEdge(0);
    expect(horizon.horizonMs(chardev)).toBe(10_000 - 2_000);
  });

  it('a driver that knows how far it has delivered sets the horizon exactly, never past now', () => {
    const { horizon } = setup();
    horizon.noteEdge(5_000);
    expect(horizon.horizonMs({ deliveryGraceMs: 0, maxDeliveryLagMs: 120_000, deliveredThroughMs: () => 9_500 })).toBe(
      9_500,
    );
    expect(horizon.horizonMs({ deliveryGraceMs: 0, maxDeliveryLagMs: 120_000, deliveredThroughMs: () => 12_000 })).toBe(
      10_000,
    );
  });
});
