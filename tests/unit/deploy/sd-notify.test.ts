/**
 * How the agent reads systemd's environment: which socket to notify and how often to ping, so a
 * unit with WatchdogSec=30s gets a ping every 15 s and an inherited variable is never obeyed.
 */
import { describe, expect, it } from 'vitest';
import { createSdNotifier, notifyAddress, watchdogIntervalMs } from '../../../src/agent/sd-notify.js';
import { silentLogger } from '../../../src/lib/logger.js';

describe('notifyAddress', () => {
  it.each([
    ['/run/systemd/notify', { kind: 'path', path: '/run/systemd/notify' }],
    ['@/org/freedesktop/systemd1/notify', { kind: 'abstract', name: '\0/org/freedesktop/systemd1/notify' }],
    ['@x', { kind: 'abstract', name: '\0x' }],
    ['@', undefined],
    ['', undefined],
    [undefined, undefined],
    ['relative/notify', undefined],
  ])('%j -> %j', (value, expected) => {
    expect(notifyAddress(value)).toEqual(expected);
  });
});

describe('watchdogIntervalMs', () => {
  const pid = 4242;
  it.each([
    [{ WATCHDOG_USEC: '30000000' }, 15_000], // WatchdogSec=30s
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '4242' }, 15_000],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '' }, 15_000],
    [{ WATCHDOG_USEC: '3000' }, 1],
    [{ WATCHDOG_USEC: '1' }, 1], // never a zero interval (a busy loop)
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, undefined], // inherited by a child: not ours
    [{ WATCHDOG_USEC: '0' }, undefined],
    [{ WATCHDOG_USEC: '-5' }, undefined],
    [{ WATCHDOG_USEC: '30s' }, undefined],
    [{ WATCHDOG_USEC: '' }, undefined],
    [{}, undefined],
  ])('%j -> %j', (env, expected) => {
    expect(watchdogIntervalMs(env, pid)).toBe(expected);
  });
});

describe('createSdNotifier without systemd', () => {
  it('is disabled and every call is a harmless no-op', () => {
    const notifier = createSdNotifier({ env: {}, logger: silentLogger });
    expect(notifier.enabled).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeUndefined();
    notifier.ready();
    notifier.status('x');
    const stop = notifier.startWatchdog();
    stop();
    notifier.stopping();
  });
});
