/** What a master reads from a virtual PLC's memory, without sockets. */
import { describe, expect, it } from 'vitest';
import { createSimLine } from '../../../simulator/engine/line.js';
import { ModbusException, PlcImage } from '../../../simulator/plc/image.js';
import { scenarioOf } from './helpers.js';

const scenario = scenarioOf(`
name: image
shifts: { timezone: UTC }
line:
  id: l
  stations:
    - { id: m, idealCycleTime: 10s, counters: { partStart: 100 }, conditions: [{ name: t, base: 21.5 }] }
plcs:
  - id: plc1
    memory: { holding: 200 }
    registers:
      - { signal: m.partCount, address: 0 }
      - { signal: m.cycleComplete, address: 1, type: bit, bit: 0 }
      - { signal: m.running, address: 1, type: bit, bit: 1 }
      - { signal: heartbeat, address: 2 }
      - { signal: m.condition.t, address: 3, type: int16, scale: 0.1 }
      - { value: -7, address: 4, type: int16 }
`);

function setup() {
  const line = createSimLine(scenario);
  const plc = scenario.plcs[0];
  if (plc === undefined) throw new Error('no plc');
  return { line, image: new PlcImage(plc, line) };
}

describe('virtual PLC memory', () => {
  it('counters start at the scenario value and restart from 0 after a PLC restart', () => {
    const { line, image } = setup();
    line.advanceTo(35_000);
    expect(image.read('holding', 0, 1)).toEqual([103]);
    image.restart();
    line.advanceTo(55_000);
    expect(image.read('holding', 0, 1)).toEqual([2]);
    expect(image.read('holding', 2, 1)).toEqual([20]); // heartbeat: seconds since the restart at 35 s
  });

  it('the cycle-complete bit pulses after each part and stays up until it has been read once', () => {
    const { line, image } = setup();
    line.advanceTo(10_000); // part 1 done at 10 s
    expect(image.read('holding', 1, 1)[0]).toBe(0b11);
    line.advanceTo(15_000); // pulse (1 s) over, and it was read: low
    expect(image.read('holding', 1, 1)[0]).toBe(0b10);
    line.advanceTo(25_000); // part 2 at 20 s, never read during its pulse: still high now
    expect(image.read('holding', 1, 1)[0]! & 1).toBe(1);
    expect(image.read('holding', 1, 1)[0]! & 1).toBe(0); // ... and low once read
  });

  it('scaled integers, fixed values, unmapped registers, memory limits', () => {
    const { image } = setup();
    expect(image.read('holding', 3, 3)).toEqual([215, 0xfff9, 0]);
    expect(() => image.read('holding', 190, 20)).toThrow(
      expect.objectContaining({ modbusErrorCode: 2 }) as ModbusException,
    );
    expect(() => image.read('holding', 0, 126)).toThrow(
      expect.objectContaining({ modbusErrorCode: 3 }) as ModbusException,
    );
  });
});
