/**
 * The rule that decides whether a device is up (src/sources/modbus/comms-rule.ts): a poll is
 * answered only if a request returned data; failed polls and exception-only polls since the last
 * poll with data take the device down; the first poll with data brings it back.
 */
import { describe, expect, it } from 'vitest';
import { Device } from '../../../src/config/schema-devices.js';
import { LinesideError } from '../../../src/lib/errors.js';
import {
  CommsRule,
  pollVerdict,
  type CommsTransition,
  type PollVerdict,
} from '../../../src/sources/modbus/comms-rule.js';
import { exceptionError, timeoutError } from '../../../src/sources/modbus/errors.js';
import { defaultBusyRetryDelayMs } from '../../../src/sources/modbus/poller.js';
import { isBusyException } from '../../../src/sources/modbus/read-cycle.js';

const target = { device: 'plc1', endpoint: 'tcp://10.0.0.11:502', unitId: 1 };
const span = { area: 'holding' as const, start: 0, count: 10 };
const exc = (code: number) => exceptionError(target, span, code);
const timeout = timeoutError(target, span, 500);

const DATA: PollVerdict = { kind: 'data' };
const IDLE: PollVerdict = { kind: 'idle' };
const FAILED: PollVerdict = { kind: 'failed', error: timeout, failure: 'unit' };
const EXC = (code = 4): PollVerdict => ({
  kind: 'exceptions',
  error: exc(code),
  answers: [{ read: 'read holding 0..9', exceptionCode: code }],
});

/** Feeds the verdicts; returns the transitions as short strings ("down:exceptions@3", "up", "up<-exceptions"). */
function run(rule: CommsRule, verdicts: readonly PollVerdict[]): (string | undefined)[] {
  return verdicts.map((v) => describeTransition(rule.observe(v)));
}

function describeTransition(t: CommsTransition | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (t.kind === 'down') return `down:${t.cause}@${t.polls}`;
  return t.after === undefined ? 'up' : `up<-${t.after}`;
}

const rule = (exceptionGrace = 3) => new CommsRule({ failuresBeforeLost: 2, exceptionGrace });

describe('pollVerdict', () => {
  const base = { data: 0, exceptions: [], split: false };
  it('data wins over exceptions: a device where some reads succeed is answered', () => {
    expect(
      pollVerdict({
        ...base,
        data: 1,
        exceptions: [{ read: 'read holding 100..100', exceptionCode: 4 }],
        lastException: exc(4),
      }),
    ).toEqual({ kind: 'data' });
  });
  it('a request without any answer fails the poll, even after data', () => {
    expect(pollVerdict({ ...base, data: 2, failure: { error: timeout, kind: 'unit' } })).toEqual({
      kind: 'failed',
      error: timeout,
      failure: 'unit',
    });
  });
  it('only exceptions: an exception poll, with every refused request', () => {
    const answers = [
      { read: 'read holding 0..9', exceptionCode: 6 },
      { read: 'read input 0..3', exceptionCode: 4 },
    ];
    expect(pollVerdict({ ...base, exceptions: answers, lastException: exc(4) })).toEqual({
      kind: 'exceptions',
      error: exc(4),
      answers,
    });
  });
  it('nothing sent, or only the refusal that split a coalesced read: decides nothing', () => {
    expect(pollVerdict(base)).toEqual({ kind: 'idle' });
    expect(
      pollVerdict({
        ...base,
        split: true,
        exceptions: [{ read: 'read holding 0..3', exceptionCode: 2 }],
        lastException: exc(2),
      }),
    ).toEqual({ kind: 'idle' });
  });
});

describe('CommsRule', () => {
  it('exception-only polls: down on the grace-th, once; up on the first poll with data', () => {
    const r = rule(3);
    expect(run(r, [DATA, EXC(), EXC(), EXC(), EXC(), EXC(), DATA, DATA])).toEqual([
      'up',
      undefined,
      undefined,
      'down:exceptions@3',
      undefined,
      undefined,
      'up<-exceptions',
      undefined,
    ]);
    expect(r.exceptionPolls).toBe(0);
    expect(r.cause).toBeUndefined();
  });

  it.each([1, 2, 5, 100])('exceptionGrace %i: down after exactly that many exception polls', (grace) => {
    const r = rule(grace);
    r.observe(DATA);
    for (let i = 1; i < grace; i++) expect(r.observe(EXC(6))).toBeUndefined();
    expect(describeTransition(r.observe(EXC(6)))).toBe(`down:exceptions@${grace}`);
    expect(r.ok).toBe(false);
  });

  it('one poll with data resets the count: a device that answers now and then is never down', () => {
    const r = rule(3);
    const verdicts = Array.from({ length: 30 }, (_, i) => (i % 3 === 2 ? DATA : EXC()));
    expect(run(r, verdicts).filter((t) => t !== undefined)).toEqual(['up']);
  });

  it('exceptions from the very first poll: down without ever having been up', () => {
    expect(run(rule(3), [EXC(), EXC(), EXC(), DATA])).toEqual([
      undefined,
      undefined,
      'down:exceptions@3',
      'up<-exceptions',
    ]);
  });

  it('idle polls (nothing sent) neither count nor reset', () => {
    expect(run(rule(3), [DATA, EXC(), IDLE, IDLE, EXC(), IDLE, EXC()])).toEqual([
      'up',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'down:exceptions@3',
    ]);
  });

  it('failed polls: down after 2, as before; exceptions are not needed for that', () => {
    expect(run(rule(3), [DATA, FAILED, DATA, FAILED, FAILED, DATA])).toEqual([
      'up',
      undefined,
      undefined,
      undefined,
      'down:no-answer@2',
      'up<-no-answer',
    ]);
  });

  it('timeouts and exceptions alternating never keep a device up: both count since the last data', () => {
    const r = rule(3);
    // E T E T: two failures without data in between -> down (no-answer) on the 4th poll.
    expect(run(r, [DATA, EXC(), FAILED, EXC(), FAILED])).toEqual([
      'up',
      undefined,
      undefined,
      undefined,
      'down:no-answer@4',
    ]);
    // E E T E: the third exception poll since the last data -> down (exceptions).
    expect(run(rule(3), [DATA, EXC(), EXC(), FAILED, EXC()])).toEqual([
      'up',
      undefined,
      undefined,
      undefined,
      'down:exceptions@4',
    ]);
  });

  it('while down, the cause follows what the device does; no transition until data', () => {
    const r = rule(2);
    expect(run(r, [FAILED, FAILED])).toEqual([undefined, 'down:no-answer@2']);
    expect(r.cause).toBe('no-answer');
    // The PLC boots and answers busy: once the grace is spent it is an exception fault.
    expect(run(r, [EXC(6)])).toEqual([undefined]);
    expect(r.cause).toBe('no-answer');
    expect(run(r, [EXC(6)])).toEqual([undefined]);
    expect(r.cause).toBe('exceptions');
    expect(run(r, [FAILED])).toEqual([undefined]);
    expect(r.cause).toBe('no-answer');
    const up = r.observe(DATA);
    expect(up).toEqual({ kind: 'up', after: 'no-answer', pollsWithoutData: 5 });
    expect(r.failures).toBe(0);
    expect(r.exceptionPolls).toBe(0);
  });

  it('rejects a grace outside the schema bounds', () => {
    expect(() => new CommsRule({ failuresBeforeLost: 2, exceptionGrace: 0 })).toThrow(RangeError);
    expect(() => new CommsRule({ failuresBeforeLost: 2, exceptionGrace: 1.5 })).toThrow(RangeError);
  });
});

describe('exceptionGrace in the device schema', () => {
  const base = { protocol: 'modbus-tcp', id: 'plc1', host: '10.0.0.11', tags: [{ name: 'a', address: 0 }] };
  it('defaults to 3 polls, accepts 1..100', () => {
    expect(Device.parse(base).exceptionGrace).toBe(3);
    expect(Device.parse({ ...base, exceptionGrace: 1 }).exceptionGrace).toBe(1);
    expect(Device.parse({ ...base, exceptionGrace: 100 }).exceptionGrace).toBe(100);
  });
  it.each([0, 101, 2.5, '3'])('rejects %j', (value) => {
    expect(Device.safeParse({ ...base, exceptionGrace: value }).success).toBe(false);
  });
});

describe('busy retries', () => {
  it('only exceptions 5 and 6 are retried', () => {
    expect(isBusyException(exc(6))).toBe(true);
    expect(isBusyException(exc(5))).toBe(true);
    for (const code of [1, 2, 3, 4, 8]) expect(isBusyException(exc(code))).toBe(false);
    expect(isBusyException(exc(0x0b))).toBe(false); // MODBUS_OFFLINE
    expect(isBusyException(timeout)).toBe(false);
    expect(isBusyException(new LinesideError('MODBUS_CLOSED', 'x', {}))).toBe(false);
  });
  it('the default pause lets two retries fit in a quarter of the poll interval, at most 100 ms', () => {
    expect(defaultBusyRetryDelayMs(50)).toBe(6);
    expect(defaultBusyRetryDelayMs(300)).toBe(37);
    expect(defaultBusyRetryDelayMs(1_000)).toBe(100);
    expect(defaultBusyRetryDelayMs(60_000)).toBe(100);
    expect(defaultBusyRetryDelayMs(1)).toBe(1);
    for (const interval of [10, 50, 100, 250, 800])
      expect(2 * defaultBusyRetryDelayMs(interval)).toBeLessThanOrEqual(interval / 4);
  });
});
