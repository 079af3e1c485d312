/**
 * The chardev driver speaks libgpiod's tools in both generations. Output samples are written in
 * the tools' own formats (v1 1.6.3 `--help` on bookworm, v2 tools/gpiomon.c and gpioget.c).
 */
import { describe, expect, it } from 'vitest';
import { chooseChip } from '../../../src/sources/gpio/chip-labels.js';
import {
  errnoFromToolMessage,
  gpiogetArgs,
  gpiomonArgs,
  parseGpiodetect,
  parseGpiogetOutput,
  parseMonitorLine,
  parseToolVersion,
} from '../../../src/sources/gpio/drivers/gpiod-tools.js';

describe('tool version', () => {
  it.each([
    ['gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n', 1],
    ['gpiomon (libgpiod) v2.1.3\nCopyright (C) 2017-2023 Bartosz Golaszewski\n', 2],
    ['gpiomon (libgpiod) v2.2\n', 2],
    ['gpiomon: unrecognized option', null],
  ] as const)('%j -> %s', (text, version) => {
    expect(parseToolVersion(text)).toBe(version);
  });
});

describe('gpiodetect output and chip choice by label', () => {
  const pi4 = 'gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n';
  const pi5 = [
    'gpiochip0 [pinctrl-rp1] (54 lines)',
    'gpiochip10 [gpio-brcmstb@107d508500] (32 lines)',
    'gpiochip11 [gpio-brcmstb@107d508520] (4 lines)',
    'gpiochip12 [gpio-brcmstb@107d517c00] (17 lines)',
    'gpiochip13 [gpio-brcmstb@107d517c20] (6 lines)',
  ].join('\n');
  // Pi 5 before kernel 6.6.45: the header bank was gpiochip4.
  const pi5Old =
    'gpiochip0 [gpio-brcmstb@107d508500] (32 lines)\ngpiochip1 [gpio-brcmstb@107d508520] (4 lines)\ngpiochip4 [pinctrl-rp1] (54 lines)\n';

  it('parses every chip', () => {
    expect(parseGpiodetect(pi4)).toEqual([
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 },
    ]);
  });

  it.each([
    ['Pi 4', pi4, 'gpiochip0'],
    ['Pi 5 (6.6.45+)', pi5, 'gpiochip0'],
    ['Pi 5 (before 6.6.45)', pi5Old, 'gpiochip4'],
    ['Pi 3', 'gpiochip0 [pinctrl-bcm2835] (54 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n', 'gpiochip0'],
  ])('%s: the header chip is %s', (_model, text, name) => {
    expect(chooseChip(parseGpiodetect(text))?.name).toBe(name);
  });

  it('a configured label wins, and a missing one finds nothing', () => {
    expect(chooseChip(parseGpiodetect(pi4), 'raspberrypi-exp-gpio')?.name).toBe('gpiochip1');
    expect(chooseChip(parseGpiodetect(pi4), 'pinctrl-rp1')).toBeUndefined();
    expect(chooseChip(parseGpiodetect(''))).toBeUndefined();
  });
});

describe('gpiomon command line and events', () => {
  it('v1: chip then offsets, line-buffered, custom format', () => {
    expect(gpiomonArgs(1, 'gpiochip0', [17, 27])).toEqual([
      '--num-events=0',
      '--line-buffered',
      '--format=%o %e %s %n',
      'gpiochip0',
      '17',
      '27',
    ]);
  });

  it('v2: --chip makes the arguments offsets, both edges', () => {
    const args = gpiomonArgs(2, 'gpiochip4', [17]);
    expect(args.slice(0, 2)).toEqual(['--chip', 'gpiochip4']);
    expect(args).toContain('--format=%o %e %S');
    expect(args[args.length - 1]).toBe('17');
  });

  it.each([
    [1, '17 1 1234 567890123', { offset: 17, level: 1, timestampNs: 1234_567890123n }],
    [1, '17 0 1234 5', { offset: 17, level: 0, timestampNs: 1234_000000005n }],
    [2, '17 1 1234.567890123', { offset: 17, level: 1, timestampNs: 1234_567890123n }],
    [2, '27 2 98.000000042', { offset: 27, level: 0, timestampNs: 98_000000042n }],
  ] as const)('v%s "%s"', (version, line, event) => {
    expect(parseMonitorLine(version, line)).toEqual(event);
  });

  it.each([
    [1, 'event:  RISING EDGE offset: 17 timestamp: [1234.567890123]'],
    [1, '17 2 1 1'],
    [2, '17 0 1.5'],
    [2, '17 1'],
    [2, ''],
    [1, 'x 1 1 1'],
  ] as const)('v%s rejects "%s"', (version, line) => {
    expect(parseMonitorLine(version, line)).toBeNull();
  });
});

describe('gpioget', () => {
  it('v1 and v2 command lines', () => {
    expect(gpiogetArgs(1, 'gpiochip0', [17, 27])).toEqual(['gpiochip0', '17', '27']);
    expect(gpiogetArgs(2, 'gpiochip0', [17])).toEqual(['--chip', 'gpiochip0', '--consumer', 'lineside', '17']);
  });

  it.each([
    ['0 1\n', [0, 1]],
    ['"17"=active "27"=inactive\n', [1, 0]],
    ['17=inactive 27=active\n', [0, 1]],
  ])('%j', (text, levels) => {
    expect(parseGpiogetOutput(text, [17, 27])).toEqual(levels);
  });

  it('output with the wrong number of values is not trusted', () => {
    expect(parseGpiogetOutput('1\n', [17, 27])).toBeNull();
    expect(parseGpiogetOutput('high low\n', [17, 27])).toBeNull();
  });
});

describe('errno from a tool message', () => {
  it.each([
    ['gpioget: error reading GPIO values: Device or resource busy', 'EBUSY'],
    ['gpiomon: unable to request lines on chip /dev/gpiochip0: Permission denied', 'EACCES'],
    ["gpioget: offset 99 is out of range on chip 'gpiochip0'", 'EINVAL'],
    ["gpiomon: error opening gpiochip 'gpiochip9': No such file or directory", 'ENOENT'],
    ['something else', undefined],
  ])('%s -> %s', (text, errno) => {
    expect(errnoFromToolMessage(text)).toBe(errno);
  });
});
