// Which line the page shows (src/web/line-choice.js) and what its tab and overview say about a
// line (src/web/line-status.js). Plain browser JavaScript without DOM access, tested directly.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { addressOfLine, chooseLine, lineFromAddress } from '../../../src/web/line-choice.js';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { lineStatus } from '../../../src/web/line-status.js';

describe('the line the address asks for', () => {
  it.each([
    ['', '', null],
    ['?line=line2', '', 'line2'],
    ['', '#line=line2', 'line2'],
    ['?line=line2', '#line=line3', 'line2'],
    ['?line=', '#line=line3', 'line3'],
    ['?token=x&line=Linie%20%C3%96st', '', 'Linie Öst'],
    ['?other=1', '#top', null],
  ])('search %j hash %j: %j', (search, hash, expected) => {
    expect(lineFromAddress(search, hash)).toBe(expected);
  });

  it('shows that line when the agent has it, else the first line and names the one asked for', () => {
    expect(chooseLine(['line1', 'line2'], 'line2')).toEqual({ id: 'line2', unknown: null });
    expect(chooseLine(['line1', 'line2'], null)).toEqual({ id: 'line1', unknown: null });
    expect(chooseLine(['line1', 'line2'], 'line9')).toEqual({ id: 'line1', unknown: 'line9' });
    expect(chooseLine([], 'line1')).toEqual({ id: undefined, unknown: 'line1' });
  });

  it('writes the choice into the query, keeping the rest and dropping a #line=', () => {
    expect(addressOfLine('http://pi:8080/', 'line2')).toBe('http://pi:8080/?line=line2');
    expect(addressOfLine('http://pi:8080/?line=line1&x=1', 'line2')).toBe('http://pi:8080/?line=line2&x=1');
    expect(addressOfLine('http://pi:8080/#line=line1', 'line2')).toBe('http://pi:8080/?line=line2');
  });
});

describe('a line in one sentence', () => {
  const st = (name: string, state: string) => ({ name, state });
  it.each([
    [
      [st('Press', 'running'), st('Weld', 'running')],
      undefined,
      { cls: 'good', text: 'All running', sub: '2 stations' },
    ],
    [[st('Press', 'down'), st('Weld', 'comms_lost')], undefined, { cls: 'bad', text: '1 down', sub: 'Press' }],
    [
      [st('Press', 'comms_lost'), st('Weld', 'starved')],
      undefined,
      { cls: 'warn', text: '1 without data', sub: 'Press' },
    ],
    [
      [st('Press', 'starved'), st('Weld', 'small_stop')],
      undefined,
      { cls: 'warn', text: '2 stopped', sub: 'Press (starved), Weld (small stop)' },
    ],
    [[st('Press', 'planned_stop')], 'lunch', { cls: '', text: 'Planned stop', sub: 'lunch' }],
    [[st('Press', 'planned_stop')], 'off_shift', { cls: '', text: 'Off shift', sub: '' }],
  ])('%j (%s)', (stations, plannedStop, expected) => {
    expect(lineStatus(stations, plannedStop)).toEqual(expected);
  });
});
