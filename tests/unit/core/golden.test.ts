/**
 * Runs every golden case in tests/cases/<name>/ (format in tests/cases/README.md): the input
 * samples, comms changes, ticks and commands go into a fresh core; the events (and diagnostics)
 * of the kinds the case compares must equal expected.jsonl, in order, field by field for the
 * fields the expected line names. The expected files are the specification, reasoned out by hand
 * from docs/oee.md.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { createCore, type Core } from '../../../src/core/core.js';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import { ManualClock } from './helpers.js';

const CASES = join(import.meta.dirname, '../../cases');

interface CaseSpec {
  /** Wall time (ISO) at monotonic 0. */
  readonly start: string;
  /** Kinds compared: event types, "oee:final" (final OEE only), "diagnostic". */
  readonly compare: readonly string[];
}

type Input =
  | { mono: number; poll: Record<string, number | boolean | string> }
  | { mono: number; comms: { device: string; ok: boolean } }
  | { tick: number }
  | { mono: number; wallJumpMs: number }
  | { mono: number; assign: { downtimeId: string; reason: string }; expect?: string }
  | { mono: number; startOrder: { line: string; id: string; product?: string; quantity?: number; due?: string } }
  | { mono: number; stopOrder: { line: string } }
  | { restart: { start: string; mono: number } };

type Item = Record<string, unknown>;

const TIME_FIELDS = new Set(['ts', 'since', 'start', 'end', 'due', 'eta']);

function matches(actual: unknown, expected: unknown, key: string, path: string, problems: string[]): void {
  if (expected === null) {
    // null: the field must be absent (events leave out what is unknown).
    if (actual !== undefined) problems.push(`${path}: expected no value, got ${JSON.stringify(actual)}`);
    return;
  }
  if (typeof expected === 'string' && typeof actual === 'number' && TIME_FIELDS.has(key)) {
    const ms = Date.parse(expected);
    if (ms !== actual) problems.push(`${path}: expected ${expected}, got ${new Date(actual).toISOString()}`);
    return;
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Math.abs(actual - expected) > 1e-6 * Math.max(1, Math.abs(expected)))
      problems.push(`${path}: expected ${expected}, got ${actual}`);
    return;
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object') {
      problems.push(`${path}: expected an object, got ${JSON.stringify(actual)}`);
      return;
    }
    for (const [k, v] of Object.entries(expected)) matches((actual as Item)[k], v, k, `${path}.${k}`, problems);
    return;
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    problems.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as T);
}

function runCase(dir: string): { stream: Item[]; spec: CaseSpec } {
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseSpec;
  const loaded = loadConfigText(readFileSync(join(dir, 'config.yaml'), 'utf8'), { env: {} });
  if (!loaded.ok)
    throw new Error(`${dir}/config.yaml: ${loaded.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = loaded.config as LinesideConfig;
  const stream: Item[] = [];
  let clock = new ManualClock(Date.parse(spec.start));
  const make = (restore?: CoreCheckpoint): Core =>
    createCore(config, {
      clock,
      ...(restore !== undefined ? { restore } : {}),
      onEvent: (e) => stream.push(e as unknown as Item),
      onDiagnostic: (d) => stream.push({ type: 'diagnostic', code: d.code, ...d.context }),
    });
  let core = make();
  for (const input of readJsonl<Input>(join(dir, 'input.jsonl'))) {
    if ('tick' in input) {
      clock.mono = input.tick;
      core.tick();
    } else if ('restart' in input) {
      // The agent stops (checkpoint saved through JSON) and a new process starts later, with a
      // new monotonic origin.
      const saved = JSON.parse(JSON.stringify(core.checkpoint())) as CoreCheckpoint;
      clock = new ManualClock(Date.parse(input.restart.start) - input.restart.mono);
      clock.mono = input.restart.mono;
      core = make(saved);
    } else if ('wallJumpMs' in input) {
      clock.mono = input.mono;
      clock.wallAtZero += input.wallJumpMs;
    } else if ('assign' in input) {
      clock.mono = input.mono;
      const result = core.assignReason(input.assign.downtimeId, input.assign.reason);
      stream.push({ type: 'command', ok: result.ok, ...(result.ok ? {} : { code: result.code }) });
    } else if ('startOrder' in input) {
      clock.mono = input.mono;
      const { line, due, ...spec } = input.startOrder;
      const result = core.startOrder(line, { ...spec, ...(due !== undefined ? { due: Date.parse(due) } : {}) });
      stream.push({ type: 'command', ok: result.ok, ...(result.ok ? {} : { code: result.code }) });
    } else if ('stopOrder' in input) {
      clock.mono = input.mono;
      const result = core.stopOrder(input.stopOrder.line);
      stream.push({ type: 'command', ok: result.ok, ...(result.ok ? {} : { code: result.code }) });
    } else if ('comms' in input) {
      clock.mono = input.mono;
      core.comms({ ...input.comms, ts: clock.wallMs(), mono: input.mono });
    } else {
      clock.mono = input.mono;
      for (const [tag, value] of Object.entries(input.poll))
        core.sample({ tag, value, ts: clock.wallMs(), mono: input.mono });
    }
  }
  return { stream, spec };
}

function selected(item: Item, compare: readonly string[]): boolean {
  const type = item.type as string;
  if (type === 'oee') return compare.includes('oee') || (compare.includes('oee:final') && item.final === true);
  return compare.includes(type);
}

const cases = existsSync(CASES)
  ? readdirSync(CASES, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(CASES, d.name, 'case.json')))
      .map((d) => d.name)
  : [];

describe('golden cases (tests/cases)', () => {
  it('has the cases the brief asks for', () => {
    for (const name of [
      'counter-wrap',
      'counter-reset',
      'plc-restart',
      'comms-loss-during-breakdown',
      'small-stop-becomes-downtime',
      'break-during-breakdown',
      'clock-jump',
      'night-shift-dst',
      'held-running-bit',
      'product-change-mid-cycle',
      'changeover-across-a-break',
      'order-completing-at-shift-end',
    ]) {
      expect(cases).toContain(name);
    }
  });

  for (const name of cases) {
    it(`${name}: ${
      readFileSync(join(CASES, name, 'README.md'), 'utf8')
        .trim()
        .split('\n')[0]
    }`, () => {
      const dir = join(CASES, name);
      const { stream, spec } = runCase(dir);
      const actual = stream.filter((i) => selected(i, [...spec.compare, 'command']));
      const expected = readJsonl<Item>(join(dir, 'expected.jsonl'));
      const problems: string[] = [];
      const n = Math.max(actual.length, expected.length);
      for (let i = 0; i < n; i++) {
        const a = actual[i];
        const e = expected[i];
        if (e === undefined) problems.push(`#${i}: unexpected ${JSON.stringify(a)}`);
        else if (a === undefined) problems.push(`#${i}: missing ${JSON.stringify(e)}`);
        else matches(a, e, '', `#${i} ${String(e.type)}`, problems);
        if (problems.length > 12) break;
      }
      expect(problems, `actual stream:\n${actual.map((a) => JSON.stringify(a)).join('\n')}`).toEqual([]);
    });
  }
});
