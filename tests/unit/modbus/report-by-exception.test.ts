/**
 * Report by exception keeps MQTT and InfluxDB quiet while values sit still, without hiding real
 * movement: the deadband is measured from the last value that was actually emitted.
 */
import { describe, expect, it } from 'vitest';
import { ChangeFilter } from '../../../src/sources/modbus/change-filter.js';

describe('ChangeFilter', () => {
  it('emits the first value of every tag', () => {
    const f = new ChangeFilter();
    expect(f.offer('a', 0, 5)).toBe(true);
    expect(f.offer('b', false, 0)).toBe(true);
  });

  it('suppresses numbers within the deadband and emits once they move by more', () => {
    const f = new ChangeFilter();
    f.offer('temp', 20, 0.5);
    expect(f.offer('temp', 20.5, 0.5)).toBe(false); // exactly the deadband: not "more than"
    expect(f.offer('temp', 19.6, 0.5)).toBe(false);
    expect(f.offer('temp', 20.6, 0.5)).toBe(true);
  });

  it('a slow drift gets through once it adds up (compared with the last emitted value)', () => {
    const f = new ChangeFilter();
    f.offer('temp', 20, 1);
    const emitted = [20.3, 20.6, 20.9, 21.2, 21.5].filter((v) => f.offer('temp', v, 1));
    expect(emitted).toEqual([21.2]);
  });

  it('deadband 0 emits every change and nothing else', () => {
    const f = new ChangeFilter();
    f.offer('count', 7, 0);
    expect(f.offer('count', 7, 0)).toBe(false);
    expect(f.offer('count', 8, 0)).toBe(true);
  });

  it('booleans and strings emit on change only', () => {
    const f = new ChangeFilter();
    f.offer('run', true, 3);
    expect(f.offer('run', true, 3)).toBe(false);
    expect(f.offer('run', false, 3)).toBe(true);
    f.offer('model', 'LS-1', 0);
    expect(f.offer('model', 'LS-1', 0)).toBe(false);
    expect(f.offer('model', 'LS-2', 0)).toBe(true);
  });

  it('after reset (reconnect, comms regained) every value is emitted again', () => {
    const f = new ChangeFilter();
    f.offer('count', 7, 0);
    f.reset();
    expect(f.offer('count', 7, 0)).toBe(true);
  });
});
