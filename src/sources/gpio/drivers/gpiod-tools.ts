/**
 * Command lines and output formats of libgpiod's tools, v1 (Debian bookworm, 1.6.x) and v2
 * (trixie, 2.x). Pure: the chardev driver spawns, this file only builds and parses.
 *
 * v1 (from `gpiomon --help` 1.6.3):  gpiomon [OPTIONS] <chip> <offset>...
 *   -b line-buffered (stdout is a pipe, so without it events would sit in a 4 KiB buffer),
 *   -n 0 = no event limit, -F with %o offset, %e event (0 falling, 1 rising), %s seconds,
 *   %n nanoseconds of the kernel timestamp. gpioget <chip> <offset>... prints "0 1 ...".
 * v2 (libgpiod tools/gpiomon.c): gpiomon [OPTIONS] <line>..., `--chip` makes the lines offsets;
 *   %e is '1' rising or '2' falling, %S is "seconds.nanoseconds"; stdout is flushed before each
 *   poll. gpioget -c <chip> <offset>... prints `"17"=active "27"=inactive` (or 17=active with
 *   --unquoted, or 1/0 with --numeric on newer releases).
 * Both: the kernel stamps events with CLOCK_MONOTONIC (since Linux 5.7; v2's default clock).
 * `gpiodetect` prints one line per chip: "gpiochip0 [pinctrl-bcm2711] (58 lines)".
 */
import type { Level } from '../driver.js';

export type ToolVersion = 1 | 2;

export interface ChipInfo {
  /** Character device name, "gpiochip0". */
  readonly name: string;
  readonly label: string;
  readonly lines: number;
}

export interface MonitorEvent {
  readonly offset: number;
  readonly level: Level;
  /** Kernel event timestamp, ns (CLOCK_MONOTONIC on current kernels). */
  readonly timestampNs: bigint;
}

/** Major version from `gpiomon --version` ("gpiomon (libgpiod) v1.6.3"), or null. */
export function parseToolVersion(text: string): ToolVersion | null {
  const match = /\(libgpiod\)\s+v(\d+)\./.exec(text) ?? /\bv(\d+)\.\d+/.exec(text);
  if (!match) return null;
  const major = Number(match[1]);
  if (major === 1) return 1;
  if (major >= 2) return 2;
  return null;
}

/** Chips listed by `gpiodetect` (same format in v1 and v2). Unparseable lines are skipped. */
export function parseGpiodetect(text: string): ChipInfo[] {
  const chips: ChipInfo[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(\S+)\s+\[(.*)\]\s+\((\d+)\s+lines?\)/.exec(line);
    if (match) chips.push({ name: match[1] as string, label: match[2] as string, lines: Number(match[3]) });
  }
  return chips;
}

/** Consumer name shown by gpioinfo, so a plant engineer sees who holds the line. */
export const CONSUMER = 'lineside';

export function gpiomonArgs(version: ToolVersion, chip: string, offsets: readonly number[]): string[] {
  const list = offsets.map(String);
  if (version === 1) return ['--num-events=0', '--line-buffered', '--format=%o %e %s %n', chip, ...list];
  return ['--chip', chip, '--edges', 'both', '--consumer', CONSUMER, '--format=%o %e %S', ...list];
}

export function gpiogetArgs(version: ToolVersion, chip: string, offsets: readonly number[]): string[] {
  const list = offsets.map(String);
  if (version === 1) return [chip, ...list];
  return ['--chip', chip, '--consumer', CONSUMER, ...list];
}

/** One line of gpiomon output in our --format, or null if it is not one. */
export function parseMonitorLine(version: ToolVersion, line: string): MonitorEvent | null {
  const fields = line.trim().split(/\s+/);
  if (version === 1) {
    if (fields.length !== 4) return null;
    const [offset, event, seconds, nanos] = fields as [string, string, string, string];
    const level = v1Level(event);
    if (level === null || !isUint(offset) || !isUint(seconds) || !isUint(nanos)) return null;
    return { offset: Number(offset), level, timestampNs: BigInt(seconds) * 1_000_000_000n + BigInt(nanos) };
  }
  if (fields.length !== 3) return null;
  const [offset, event, stamp] = fields as [string, string, string];
  const level = v2Level(event);
  const match = /^(\d+)\.(\d{1,9})$/.exec(stamp);
  if (level === null || !isUint(offset) || !match) return null;
  const nanos = (match[2] as string).padEnd(9, '0');
  return { offset: Number(offset), level, timestampNs: BigInt(match[1] as string) * 1_000_000_000n + BigInt(nanos) };
}

/**
 * Levels printed by gpioget, in the order of `offsets`, or null when the output does not have
 * one value per offset. Accepts v1 ("0 1"), v2 (`"17"=active`, `17=inactive`) and --numeric.
 */
export function parseGpiogetOutput(text: string, offsets: readonly number[]): Level[] | null {
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (tokens.length !== offsets.length) return null;
  const levels: Level[] = [];
  for (const token of tokens) {
    const match = /^(?:"?[^"=]*"?=)?(active|inactive|0|1)$/.exec(token);
    if (!match) return null;
    const value = match[1];
    levels.push(value === 'active' || value === '1' ? 1 : 0);
  }
  return levels;
}

/** The errno a tool's error message names ("...: Device or resource busy"), if any. */
export function errnoFromToolMessage(text: string): string | undefined {
  if (/Device or resource busy/i.test(text)) return 'EBUSY';
  if (/Permission denied|Operation not permitted/i.test(text)) return 'EACCES';
  if (/Invalid argument|out of range|invalid number|invalid offset/i.test(text)) return 'EINVAL';
  if (/No such file or directory|cannot find GPIO chip|unable to open chip|No such device/i.test(text)) return 'ENOENT';
  return undefined;
}

function v1Level(event: string): Level | null {
  if (event === '1' || event === 'rising') return 1;
  if (event === '0' || event === 'falling') return 0;
  return null;
}

function v2Level(event: string): Level | null {
  if (event === '1' || event === 'rising') return 1;
  if (event === '2' || event === 'falling') return 0;
  return null;
}

function isUint(text: string): boolean {
  return /^\d+$/.test(text);
}
