/**
 * Error messages are what a plant engineer reads at 3 a.m.: they must name the device, the
 * endpoint, the unit and the read, and the code decides how the poller reacts.
 */
import { describe, expect, it } from 'vitest';
import { LinesideError } from '../../../src/lib/errors.js';
import { exceptionError, failureKind, timeoutError, wasSent } from '../../../src/sources/modbus/errors.js';

const target = { device: 'plc1', endpoint: 'tcp://127.0.0.1:5020', unitId: 1 };
const span = { area: 'holding' as const, start: 0, count: 10 };

describe('messages', () => {
  it('a timeout reads as the issue describes it', () => {
    const e = timeoutError(target, span, 500);
    expect(e.toString()).toBe('MODBUS_TIMEOUT plc1 tcp://127.0.0.1:5020 unit 1: read holding 0..9 after 500ms');
    expect(e.context).toMatchObject({
      device: 'plc1',
      unitId: 1,
      area: 'holding',
      start: 0,
      count: 10,
      timeoutMs: 500,
    });
  });

  it('a config exception names the tags and their addresses', () => {
    const e = exceptionError(target, { area: 'holding', start: 100, count: 1 }, 2, ['speed @ 40101']);
    expect(e.toString()).toBe(
      'MODBUS_EXCEPTION plc1 tcp://127.0.0.1:5020 unit 1: read holding 100..100 answered exception 2 (illegal data address) (tags speed @ 40101); check the address, area and type of these tags against the PLC manual',
    );
  });

  it('gateway exceptions are MODBUS_OFFLINE', () => {
    expect(exceptionError(target, span, 0x0b).code).toBe('MODBUS_OFFLINE');
    expect(exceptionError(target, span, 0x0a).code).toBe('MODBUS_OFFLINE');
  });
});

describe('failureKind decides the reaction', () => {
  it.each([
    [1, 'config'],
    [2, 'config'],
    [3, 'config'],
    [4, 'busy'],
    [5, 'busy'],
    [6, 'busy'],
    [10, 'unit'],
    [11, 'unit'],
  ])('exception %i is %s', (code, kind) => {
    expect(failureKind(exceptionError(target, span, code))).toBe(kind);
  });

  it('timeouts and bad replies are the unit; connect and close are the link', () => {
    expect(failureKind(timeoutError(target, span, 500))).toBe('unit');
    expect(failureKind(new LinesideError('MODBUS_DECODE', 'x'))).toBe('unit');
    expect(failureKind(new LinesideError('MODBUS_CONNECT', 'x'))).toBe('link');
    expect(failureKind(new LinesideError('SERIAL_OPEN', 'x'))).toBe('link');
    expect(failureKind(new LinesideError('MODBUS_CLOSED', 'x'))).toBe('link');
  });

  it('requests refused without I/O are not counted as sent', () => {
    expect(wasSent(new LinesideError('MODBUS_CONNECT', 'x'))).toBe(false);
    expect(wasSent(new LinesideError('MODBUS_CLOSED', 'x', { notSent: true }))).toBe(false);
    expect(wasSent(timeoutError(target, span, 500))).toBe(true);
  });
});
