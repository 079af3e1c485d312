import { describe, expect, it } from 'vitest';
import { LiveFeed } from '../../../src/server/live-feed.js';
import { viewContext } from '../../../src/server/view-build.js';
import { FakeLine } from '../../integration/server/support/fake-line.js';
import { FakeHealth, ManualClock, testConfig } from '../../integration/server/support/harness.js';

function setup() {
  const config = testConfig();
  const clock = new ManualClock();
  const fake = new FakeLine(config, clock);
  const health = new FakeHealth();
  const feed = new LiveFeed(fake, health, viewContext(config), () => clock.wallMs());
  fake.subscribe((e) => feed.onEvent(e));
  return { fake, feed, clock, health };
}

describe('LiveFeed (coalesced deltas from core events)', () => {
  it('sends nothing when nothing happened', () => {
    const { feed } = setup();
    expect(feed.takeDelta()).toBeUndefined();
  });

  it('coalesces a burst into one delta: one view per changed station, all state changes, one cycle batch per station', () => {
    const { fake, feed, clock } = setup();
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      fake.cycle('press', 11_000 + i, i % 10 !== 0);
    }
    fake.setState('weld', 'small_stop');
    clock.advance(1000);
    fake.setState('weld', 'running');
    const snapshotsBefore = fake.snapshotCalls;
    const delta = feed.takeDelta();
    expect(fake.snapshotCalls - snapshotsBefore).toBe(1);
    expect(delta?.seq).toBe(1);
    expect(delta?.stations?.map((s) => s.id).sort()).toEqual(['press', 'weld']);
    expect(delta?.stations?.find((s) => s.id === 'press')?.counts).toEqual({ total: 100, good: 90, reject: 10 });
    expect(delta?.spans?.map((s) => s.state)).toEqual(['small_stop', 'running']);
    expect(delta?.cycles).toEqual([
      expect.objectContaining({
        station: 'press',
        count: 100,
        good: 90,
        timed: 100,
        minMs: 11_000,
        maxMs: 11_099,
        lastMs: 11_099,
        sumMs: 100 * 11_000 + 4950,
      }),
    ]);
    expect(delta?.lines?.map((l) => l.id)).toEqual(['line1']);
    // Everything was taken: the next window starts empty.
    expect(feed.takeDelta()).toBeUndefined();
  });

  it('counts a cycle without a time (the first after a start) but keeps it out of min, max, sum and last', () => {
    const { fake, feed, clock } = setup();
    clock.advance(100);
    fake.cycle('press', undefined);
    expect(feed.takeDelta()?.cycles).toEqual([
      expect.objectContaining({ count: 1, timed: 0, minMs: null, maxMs: null, sumMs: 0, lastMs: null }),
    ]);
    clock.advance(100);
    fake.cycle('press', undefined);
    fake.cycle('press', 9_000);
    fake.cycle('press', 11_000);
    expect(feed.takeDelta()?.cycles).toEqual([
      expect.objectContaining({ count: 3, timed: 2, minMs: 9_000, maxMs: 11_000, sumMs: 20_000, lastMs: 11_000 }),
    ]);
  });

  it('carries downtime and alerts by id (latest wins) with labels from the config', () => {
    const { fake, feed } = setup();
    const id = fake.breakdown('press', { faultCode: 17, reason: 'hydraulic' });
    fake.assignReason(id, 'die-jam', { user: 'Anna' });
    fake.raiseAlert('weld', 'a1');
    const delta = feed.takeDelta();
    expect(delta?.downtime).toEqual([
      expect.objectContaining({ id, reason: 'die-jam', reasonLabel: 'Die jam', faultCode: 17 }),
    ]);
    expect(delta?.alerts).toEqual([expect.objectContaining({ id: 'a1', station: 'weld', status: 'active' })]);
    expect(delta?.stations?.find((s) => s.id === 'press')).toMatchObject({
      state: 'down',
      reason: 'die-jam',
      openDowntime: { id, reasonLabel: 'Die jam' },
    });
  });

  it("marks the line changed on an order event, which has no station, so the order's progress reaches the page", () => {
    const { fake, feed, clock } = setup();
    const now = clock.wallMs();
    for (const phase of ['started', 'progress', 'stopped'] as const) {
      fake.emit({
        type: 'order',
        id: `line1-${phase}`,
        line: 'line1',
        seq: 1,
        ts: now,
        phase,
        orderId: '4711',
        quantity: 20,
        good: 3,
        reject: 0,
        remaining: 17,
        start: now,
      });
      const delta = feed.takeDelta();
      expect(
        delta?.lines?.map((l) => l.id),
        phase,
      ).toEqual(['line1']);
      expect(delta?.stations, phase).toBeUndefined();
    }
  });

  it('marks the station and its line changed on a scrap event, so quality and rejects by reason update at once', () => {
    const { fake, feed, clock } = setup();
    fake.emit({
      type: 'scrap',
      id: 'press-scrap-1',
      line: 'line1',
      station: 'press',
      seq: 1,
      ts: clock.wallMs(),
      reason: 'dimension',
      count: 2,
    });
    const delta = feed.takeDelta();
    expect(delta?.stations?.map((s) => s.id)).toEqual(['press']);
    expect(delta?.lines?.map((l) => l.id)).toEqual(['line1']);
  });

  it('sends device health only when it changed', () => {
    const { feed, health } = setup();
    feed.checkDevices();
    expect(feed.takeDelta()?.devices?.[0]?.connected).toBe(true);
    feed.checkDevices();
    expect(feed.takeDelta()).toBeUndefined();
    health.devices = [
      { ...(health.devices[0] as (typeof health.devices)[0]), connected: false, lastError: 'MODBUS_TIMEOUT plc1' },
    ];
    feed.checkDevices();
    expect(feed.takeDelta()?.devices?.[0]).toMatchObject({ connected: false, lastError: 'MODBUS_TIMEOUT plc1' });
  });

  it('bounds what it holds for a station that flaps faster than the broadcast window', () => {
    const { fake, feed, clock } = setup();
    for (let i = 0; i < 10_000; i++) {
      clock.advance(1);
      fake.setState('press', i % 2 === 0 ? 'small_stop' : 'running');
    }
    const delta = feed.takeDelta();
    expect(delta?.spans?.length).toBeLessThanOrEqual(50);
    expect(delta?.spans?.[delta.spans.length - 1]?.state).toBe('running');
  });
});
