/** `--serial PLC=PATH[?baud=...]`: parsing and moving a PLC of the scenario onto an RTU bus. */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../simulator/scenario-load.js';
import type { Scenario } from '../../../simulator/scenario-schema.js';
import {
  lineSetting,
  parseSerialArg,
  serveOverSerial,
  type SerialOverride,
} from '../../../simulator/serial-override.js';

const loaded = loadScenarioFile('steady');
if (!loaded.ok) throw new Error('steady does not load');
const steady = loaded.scenario as Scenario;

const parsed = (text: string): SerialOverride => {
  const r = parseSerialArg(text, '/work/site');
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('parseSerialArg', () => {
  it('takes PLC=PATH, resolving a relative path against the working directory', () => {
    expect(parsed('plc1=/tmp/ttyV0')).toEqual({ plc: 'plc1', path: '/tmp/ttyV0' });
    expect(parsed('plc1=ttyV0')).toEqual({ plc: 'plc1', path: '/work/site/ttyV0' });
  });

  it('keeps colons in device paths (by-path names have them) and reads the line settings from the query', () => {
    expect(
      parsed(
        'plc2=/dev/serial/by-path/pci-0000:00:14.0-usb-0:1:1.0-port0?baud=19200&parity=even&databits=7&stopbits=2',
      ),
    ).toEqual({
      plc: 'plc2',
      path: '/dev/serial/by-path/pci-0000:00:14.0-usb-0:1:1.0-port0',
      baudRate: 19200,
      parity: 'even',
      dataBits: 7,
      stopBits: 2,
    });
  });

  it.each([
    ['plc1', '--serial takes PLC=PATH'],
    ['=/tmp/ttyV0', '--serial takes PLC=PATH'],
    ['plc1=', '--serial takes PLC=PATH'],
    ['plc1=?baud=9600', '--serial takes PLC=PATH'],
    ['plc1=/tmp/t?baud=fast', 'baud "fast": use a baud rate'],
    ['plc1=/tmp/t?baud=0', 'baud "0"'],
    ['plc1=/tmp/t?parity=mark', 'parity "mark": use none, even or odd'],
    ['plc1=/tmp/t?databits=9', 'databits "9": use 7 or 8'],
    ['plc1=/tmp/t?stopbits=1.5', 'stopbits "1.5": use 1 or 2'],
    ['plc1=/tmp/t?speed=9600', 'unknown option "speed"'],
  ])('%j is refused: %s', (text, message) => {
    const r = parseSerialArg(text);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain(message);
  });
});

describe('serveOverSerial', () => {
  it('moves the PLC to RTU with the same unit id and register map; the others stay on TCP', () => {
    const r = serveOverSerial(steady, [parsed('plc1=/tmp/ttyV0')]);
    if (!r.ok) throw new Error(r.message);
    const [plc1, plc2] = r.value.plcs;
    expect(plc1).toMatchObject({
      transport: 'rtu',
      unitId: 1,
      serial: { path: '/tmp/ttyV0', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 },
    });
    expect(plc1?.registers).toBe(steady.plcs[0]?.registers);
    expect(plc2).toBe(steady.plcs[1]);
    expect(steady.plcs[0]?.transport).toBe('tcp'); // the loaded scenario is not modified
  });

  it('on an RTU PLC it replaces the path and keeps the settings not given', () => {
    const rtu = {
      ...steady,
      plcs: [
        {
          ...(steady.plcs[0] as Scenario['plcs'][number]),
          transport: 'rtu' as const,
          serial: {
            path: '/dev/a',
            baudRate: 38400,
            parity: 'odd' as const,
            dataBits: 8 as const,
            stopBits: 1 as const,
          },
        },
      ],
    };
    const r = serveOverSerial(rtu, [parsed('plc1=/dev/b?stopbits=2')]);
    expect(r.ok && r.value.plcs[0]?.serial).toEqual({
      path: '/dev/b',
      baudRate: 38400,
      parity: 'odd',
      dataBits: 8,
      stopBits: 2,
    });
  });

  it('two PLCs with different unit ids may share one bus', () => {
    const units = { ...steady, plcs: steady.plcs.map((p, i) => ({ ...p, unitId: i + 1 })) };
    const r = serveOverSerial(units, [parsed('plc1=/tmp/bus'), parsed('plc2=/tmp/bus')]);
    expect(r.ok).toBe(true);
  });

  it.each([
    [['plc3=/tmp/x'], 'scenario "steady" has no PLC "plc3"; did you mean "plc1"? (PLCs: plc1, plc2)'],
    [['PLC1=/tmp/x'], 'no PLC "PLC1"'],
    [['plc1=/tmp/x', 'plc1=/tmp/y'], 'plc1 is given twice'],
    [
      ['plc1=/tmp/bus', 'plc2=/tmp/bus'],
      'plc1 and plc2 would both answer unit 1 on /tmp/bus; give them separate serial devices',
    ],
  ])('%j is refused: %s', (args, message) => {
    const r = serveOverSerial(steady, args.map(parsed));
    expect(r.ok ? '' : r.message).toContain(message);
  });

  it('one bus has one line setting', () => {
    const units = { ...steady, plcs: steady.plcs.map((p, i) => ({ ...p, unitId: i + 1 })) };
    const r = serveOverSerial(units, [parsed('plc1=/tmp/bus?baud=19200'), parsed('plc2=/tmp/bus')]);
    expect(r.ok ? '' : r.message).toContain('share /tmp/bus with different line settings (19200 8N1 vs 9600 8N1)');
  });

  it('lineSetting writes settings as nameplates do', () => {
    expect(lineSetting({ baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1 })).toBe('19200 8E1');
  });
});
