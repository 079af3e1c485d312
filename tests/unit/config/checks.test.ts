import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { crossCheck } from '../../../src/config/cross-checks.js';
import { parseDurationMs } from '../../../src/config/duration.js';
import { formatIssue } from '../../../src/config/issues.js';
import { loadConfigText } from '../../../src/config/load.js';
import { ConfigSchema, type LinesideConfig } from '../../../src/config/schema.js';
import { Duration, DURATION_SCHEMAS } from '../../../src/config/schema-primitives.js';
import { resolveFiles } from '../../../src/config/secrets.js';
import { parseTolerantly, type Loose } from '../../../src/config/tolerant.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-checks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The formatted problems of a config ([] when it loads). */
function problems(text: string): string[] {
  const result = loadConfigText(text, { env: {}, baseDir: tmp });
  return result.ok ? [] : result.issues.map(formatIssue);
}

const SITE = 'site: { enterprise: acme, site: plant1 }\n';
const LINE = `lines:
  - id: line1
    stations:
      - { id: press, idealCycleTime: 10s, signals: { cycleCounter: plc1.count } }
`;

/** A config with one TCP device holding `tags` (YAML flow maps, one per line) and the one-station line. */
function withTags(...tags: string[]): string {
  return `${SITE}devices:
  - id: plc1
    protocol: modbus-tcp
    host: 10.0.0.5
    tags:
      - { name: count, address: 100, type: uint32 }
${tags.map((t) => `      - ${t}\n`).join('')}${LINE}`;
}

describe('every duration has bounds', () => {
  // The bounds of each duration field (inclusive). A new duration field must be added here with
  // bounds chosen for it; the unbounded `Duration` lets "0ms" poll flat out.
  const BOUNDS: Record<string, [string, string]> = {
    'agent.oeeInterval': ['1s', '24h'],
    'devices[].pollInterval': ['10ms', '1h'],
    'devices[].timeout': ['10ms', '1m'],
    'devices[].interRequestDelay': ['0ms', '1s'],
    'devices[].backoffMax': ['0ms', '1h'], // and at least 1s: a loader check, see below
    'gpio.inputs[].debounce': ['0ms', '1s'],
    'gpio.inputs[].glitchFilter': ['0ms', '1s'],
    'shifts.shifts[].breaks[].duration': ['1m', '12h'],
    'lines[].stations[].idealCycleTime': ['10ms', '24h'],
    'lines[].stations[].microStopThreshold': ['100ms', '24h'],
    'products[].idealCycleTime': ['10ms', '24h'],
    'products[].changeoverTarget': ['1s', '24h'],
    'lines[].changeovers.startup.duration': ['1m', '24h'],
    'mqtt.reconnectMin': ['10ms', '10m'],
    'mqtt.reconnectMax': ['10ms', '1h'],
    'influx.flushInterval': ['10ms', '10m'],
    'storage.spoolMaxAge': ['1h', '365d'],
    'storage.historyRetention': ['1h', '365d'],
    'storage.shiftHistoryRetention': ['1d', '3650d'],
    'storage.commitInterval': ['10ms', '10s'],
    'reports.retention': ['1d', '3650d'],
    'reports.email.retryMin': ['1s', '1h'],
    'reports.email.retryMax': ['1s', '1d'],
    'reports.email.giveUpAfter': ['1m', '30d'],
    'reports.webhook.timeout': ['1s', '5m'],
    'reports.webhook.retryMin': ['1s', '1h'],
    'reports.webhook.retryMax': ['1s', '1d'],
    'reports.webhook.giveUpAfter': ['1m', '30d'],
  };

  interface Def {
    type: string;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    innerType?: z.ZodType;
    options?: z.ZodType[];
  }
  const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;
  function durations(schema: z.ZodType, path: string, out: Map<string, z.ZodType>): Map<string, z.ZodType> {
    if (DURATION_SCHEMAS.has(schema)) return out.set(path, schema);
    const d = def(schema);
    if (d.innerType) durations(d.innerType, path, out);
    for (const option of d.options ?? []) durations(option, path, out);
    if (d.element) durations(d.element, `${path}[]`, out);
    for (const [key, field] of Object.entries(d.shape ?? {}))
      durations(field, path === '' ? key : `${path}.${key}`, out);
    return out;
  }
  const found = durations(ConfigSchema, '', new Map());

  it('lists every duration field of the schema, none unbounded', () => {
    expect([...found.keys()].sort()).toEqual(Object.keys(BOUNDS).sort());
    for (const schema of found.values()) expect(schema).not.toBe(Duration);
  });

  for (const [path, [min, max]] of Object.entries(BOUNDS)) {
    it(`${path}: ${min} to ${max}`, () => {
      const schema = found.get(path) as z.ZodType;
      const minMs = parseDurationMs(min) as number;
      const maxMs = parseDurationMs(max) as number;
      expect(schema.safeParse(min).success).toBe(true);
      expect(schema.safeParse(max).success).toBe(true);
      if (minMs > 0)
        expect(schema.safeParse(`${minMs - 1}ms`).error?.issues[0]?.message).toBe(
          `must be at least ${min}; got ${minMs - 1}ms`,
        );
      expect(schema.safeParse(`${maxMs + 1}ms`).error?.issues[0]?.message).toBe(
        `must be at most ${max}; got ${maxMs + 1}ms`,
      );
    });
  }

  it('backoffMax under 1s is refused by the loader', () => {
    const text = withTags().replace('host: 10.0.0.5', 'host: 10.0.0.5\n    backoffMax: 999ms');
    expect(problems(text)).toEqual([
      'devices[0].backoffMax (6:17): must be at least 1s; got 999ms: a shorter cap reconnects to a dead device several times a second',
    ]);
    expect(problems(text.replace('999ms', '1s'))).toEqual([]);
  });
});

describe('timing between fields', () => {
  const device = (lines: string) => withTags().replace('host: 10.0.0.5', `host: 10.0.0.5\n${lines}`);

  it('a timeout at or over the poll interval is accepted: the poller skips the polls it overlaps', () => {
    expect(problems(device('    pollInterval: 100ms\n    timeout: 1s'))).toEqual([]);
    expect(problems(device('    pollInterval: 100ms'))).toEqual([]);
  });

  it('mqtt.reconnectMax may not be below reconnectMin', () => {
    expect(problems(`${withTags()}mqtt: { reconnectMin: 2s, reconnectMax: 1s }\n`)).toEqual([
      'mqtt.reconnectMax (12:41): must be at least reconnectMin (2s); got 1s',
    ]);
    expect(problems(`${withTags()}mqtt: { reconnectMin: 2s, reconnectMax: 2s }\n`)).toEqual([]);
  });

  it('reports.email.retryMax may not be below retryMin', () => {
    expect(problems(`${withTags()}reports: { email: { retryMin: 2m, retryMax: 1m } }\n`)).toEqual([
      'reports.email.retryMax (12:45): must be at least retryMin (2m); got 1m',
    ]);
    expect(problems(`${withTags()}reports: { email: { retryMin: 1m, retryMax: 1m } }\n`)).toEqual([]);
  });

  it('reports.webhook needs an http(s) url when enabled, keeps its own headers, and sends no PDF as text', () => {
    const webhook = (body: string) => problems(`${withTags()}reports: { webhook: { ${body} } }\n`);
    expect(webhook('enabled: true')).toEqual([
      'reports.webhook.url (12:21): webhook delivery is enabled but no url is set',
    ]);
    expect(webhook('url: "not a url"')).toEqual([
      'reports.webhook.url (12:28): "not a url" is not an http:// or https:// URL',
    ]);
    expect(webhook('retryMin: 2m, retryMax: 1m')).toEqual([
      'reports.webhook.retryMax (12:47): must be at least retryMin (2m); got 1m',
    ]);
    expect(webhook('format: text, attachPdf: true')).toEqual([
      'reports.webhook.attachPdf (12:48): a "text" webhook body has no room for the PDF: use format "lineside" or drop attachPdf',
    ]);
    expect(webhook('headers: { Authorization: x, Content-Type: y, x-api-key: z }')).toEqual([
      'reports.webhook.headers.Authorization (12:49): "Authorization" is set by Lineside itself (content-type, authorization, x-lineside-*)',
      'reports.webhook.headers.Content-Type (12:66): "Content-Type" is set by Lineside itself (content-type, authorization, x-lineside-*)',
    ]);
    expect(
      webhook('enabled: true, url: "https://hooks.plant.local/x", format: text, headers: { x-api-key: z }'),
    ).toEqual([]);
  });
});

describe('overlapping registers', () => {
  it('lets single-register tags share a register: bit views, a status word with its bits, bools on one coil', () => {
    expect(
      problems(
        withTags(
          '{ name: status, address: 0, type: uint16 }',
          '{ name: run, address: 0, type: bit, bit: 0 }',
          '{ name: fault, address: 0, type: bit, bit: 1 }',
          '{ name: coilA, address: "00001", type: bool }',
          '{ name: coilB, address: 0, area: coil, type: bool }',
          // The same numbers in another area are other registers.
          '{ name: temp, address: 0, area: input, type: float32 }',
          '{ name: flow, address: 2, area: input, type: float64 }',
        ),
      ),
    ).toEqual([]);
  });

  it('refuses a multi-register value that shares any register, in whatever order the tags come', () => {
    expect(problems(withTags('{ name: speed, address: 101, type: float32 }'))).toEqual([
      'devices[0].tags[1].address (8:33): float32 at holding 101..102 overlaps tag "count" (tags[0], uint32 at holding 100..101); a multi-register value must not share registers with another tag',
    ]);
    // The bit comes first in the list and lies inside the later string: reported at the later tag.
    expect(
      problems(
        withTags(
          '{ name: run, address: 203, type: bit, bit: 4 }',
          '{ name: model, address: 200, type: string, length: 8 }',
        ),
      ),
    ).toEqual([
      'devices[0].tags[2].address (9:33): string at holding 200..207 overlaps tag "run" (tags[1], bit at holding 203); a multi-register value must not share registers with another tag',
    ]);
    // Same start address.
    expect(problems(withTags('{ name: raw, address: 100, type: uint16 }'))).toEqual([
      'devices[0].tags[1].address (8:31): uint16 at holding 100 overlaps tag "count" (tags[0], uint32 at holding 100..101); a multi-register value must not share registers with another tag',
    ]);
  });

  it('uses the device addressBase and Modicon addresses', () => {
    const based = withTags('{ name: speed, address: 103, type: float32 }', '{ name: raw, address: 104 }').replace(
      'host: 10.0.0.5',
      'host: 10.0.0.5\n    addressBase: 1',
    );
    expect(problems(based)).toEqual([
      'devices[0].tags[2].address (10:31): uint16 at holding 103 overlaps tag "speed" (tags[1], float32 at holding 102..103); a multi-register value must not share registers with another tag',
    ]);
    expect(problems(withTags('{ name: speed, address: "40102", type: float32 }'))).toEqual([
      'devices[0].tags[1].address (8:33): float32 at holding 101..102 overlaps tag "count" (tags[0], uint32 at holding 100..101); a multi-register value must not share registers with another tag',
    ]);
  });

  it('does not compare tags of different devices', () => {
    const two = `${withTags()}`.replace(
      'lines:',
      `  - id: plc2
    protocol: modbus-tcp
    host: 10.0.0.6
    tags: [{ name: speed, address: 101, type: float32 }]
lines:`,
    );
    expect(problems(two)).toEqual([]);
  });
});

describe('signal bindings', () => {
  it('one tag cannot have two roles at one station', () => {
    const text = withTags('{ name: run, address: 0, type: bit, bit: 0 }').replace(
      'signals: { cycleCounter: plc1.count }',
      'signals: { cycleCounter: plc1.count, running: plc1.run, starved: plc1.run }',
    );
    expect(problems(text)).toEqual([
      `lines[0].stations[0].signals.starved (12:108): "plc1.run" is already this station's running; one tag cannot also be its starved`,
    ]);
  });

  it('one cycle source cannot count for two stations, across lines too', () => {
    const text = `${withTags('{ name: edge, address: 0, type: bit, bit: 0 }').replace('signals: { cycleCounter: plc1.count }', 'signals: { cycleEdge: plc1.edge }')}  - id: line2
    stations:
      - { id: weld, idealCycleTime: 10s, signals: { cycleEdge: plc1.edge } }
`;
    expect(problems(text)).toEqual([
      'lines[1].stations[0].signals.cycleEdge (15:64): "plc1.edge" is already the cycle source of station "press" (lines[0].stations[0]); each station needs its own, or both count every part',
    ]);
  });

  it('two stations may share other signals (one running bit for a whole cell)', () => {
    const text = `${SITE}devices:
  - id: plc1
    protocol: modbus-tcp
    host: 10.0.0.5
    tags:
      - { name: a, address: 0, type: uint16 }
      - { name: b, address: 1, type: uint16 }
      - { name: run, address: 2, type: bit, bit: 0 }
lines:
  - id: line1
    stations:
      - { id: press, idealCycleTime: 10s, signals: { cycleCounter: plc1.a, running: plc1.run } }
      - { id: weld, idealCycleTime: 10s, signals: { cycleCounter: plc1.b, running: plc1.run } }
`;
    expect(problems(text)).toEqual([]);
  });
});

describe('shifts', () => {
  const shifts = (...lines: string[]) =>
    `${withTags()}shifts:\n  shifts:\n${lines.map((l) => `    - ${l}\n`).join('')}`;

  it('accepts back-to-back shifts, a night shift into the next day, and the same hours on other days', () => {
    expect(
      problems(
        shifts(
          '{ name: early, start: "06:00", end: "14:00", days: [mon, tue, wed, thu, fri] }',
          '{ name: late, start: "14:00", end: "22:00", days: [mon, tue, wed, thu, fri] }',
          '{ name: night, start: "22:00", end: "06:00", days: [sun, mon, tue, wed, thu] }',
          '{ name: weekend, start: "06:00", end: "18:00", days: [sat] }',
          '{ name: sunday, start: "08:00", end: "16:00", days: [sun] }',
        ),
      ),
    ).toEqual([]);
  });

  it('refuses overlapping shifts, at the later one, naming the day', () => {
    expect(
      problems(
        shifts(
          '{ name: early, start: "06:00", end: "14:00", days: [wed] }',
          '{ name: mid, start: "13:00", end: "15:00", days: [tue, wed] }',
        ),
      ),
    ).toEqual([
      'shifts.shifts[1] (15:7): 13:00-15:00 overlaps shift "early" (06:00-14:00) on wed; shifts must not overlap (a part would count in both)',
    ]);
    // Friday's night shift runs into Saturday morning; the days list is the day a shift starts.
    expect(
      problems(
        shifts(
          '{ name: sat, start: "05:00", end: "13:00", days: [sat] }',
          '{ name: night, start: "22:00", end: "06:00", days: [fri] }',
        ),
      ),
    ).toEqual([
      'shifts.shifts[1] (15:7): 22:00-06:00 overlaps shift "sat" (05:00-13:00) on sat; shifts must not overlap (a part would count in both)',
    ]);
    // Sunday night runs into Monday: the week wraps.
    expect(
      problems(
        shifts(
          '{ name: night, start: "23:00", end: "07:00", days: [sun] }',
          '{ name: mon, start: "06:00", end: "14:00", days: [mon] }',
        ),
      ),
    ).toEqual([
      'shifts.shifts[1] (15:7): 06:00-14:00 overlaps shift "night" (23:00-07:00) on mon; shifts must not overlap (a part would count in both)',
    ]);
    // Without days, a shift runs every day.
    expect(
      problems(
        shifts('{ name: a, start: "06:00", end: "14:00" }', '{ name: b, start: "12:00", end: "13:00", days: [sun] }'),
      ),
    ).toEqual([
      'shifts.shifts[1] (15:7): 12:00-13:00 overlaps shift "a" (06:00-14:00) on sun; shifts must not overlap (a part would count in both)',
    ]);
  });
});

describe('storage.dir', () => {
  const storage = (dir: string) => `${withTags()}storage: { dir: ${JSON.stringify(dir)} }\n`;

  it('may be missing (it is created) or a directory, never a file or under a file', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    mkdirSync(join(tmp, 'a-dir'), { recursive: true });
    expect(problems(storage(join(tmp, 'a-dir')))).toEqual([]);
    expect(problems(storage(join(tmp, 'not-yet', 'data')))).toEqual([]);
    expect(problems(storage(file))).toEqual([
      `storage.dir (12:17): ${file} exists and is not a directory; storage.dir needs a directory (it is created when missing)`,
    ]);
    expect(problems(storage(join(file, 'data')))).toEqual([
      `storage.dir (12:17): ${join(file, 'data')} lies under a file, not a directory; storage.dir needs a directory (it is created when missing)`,
    ]);
  });
});

describe('cross-field checks on a config the schema refused', () => {
  it('report alongside the schema problems, in file order', () => {
    const text = withTags(
      '{ name: speed, address: 101, type: float32 }',
      '{ name: temp, address: 300, type: float32, scale: 0 }',
    ).replace('idealCycleTime: 10s', 'idealCycleTime: 0s');
    expect(problems(text)).toEqual([
      'devices[0].tags[1].address (8:33): float32 at holding 101..102 overlaps tag "count" (tags[0], uint32 at holding 100..101); a multi-register value must not share registers with another tag',
      'devices[0].tags[2].scale (9:59): must not be 0: every value would read as the offset',
      'lines[0].stations[0].idealCycleTime (13:38): must be at least 10ms; got 0s',
    ]);
  });

  it('do not pile knock-on problems onto a part that did not validate', () => {
    // A misspelt key may be the field whose default would otherwise be compared.
    expect(
      problems(withTags().replace('host: 10.0.0.5', 'host: 10.0.0.5\n    pollIntervall: 2s\n    timeout: 1500ms')),
    ).toEqual(['devices[0].pollIntervall (6:5): unknown key "pollIntervall"; did you mean "pollInterval"?']);
    // A device that did not validate as a whole: references to its tags are not "no tag".
    expect(problems(withTags().replace('protocol: modbus-tcp', 'protocol: modbus-tpc'))).toEqual([
      'devices[0].protocol (4:15): must be one of "modbus-tcp", "modbus-rtu", "modbus-rtu-tcp"',
    ]);
    // A tag whose name did not validate may be the one referenced.
    expect(
      problems(
        withTags('{ name: "run bit", address: 0, type: bit, bit: 0 }').replace(
          'cycleCounter: plc1.count }',
          'cycleCounter: plc1.count, running: plc1.run }',
        ),
      ),
    ).toEqual([
      'devices[0].tags[1].name (8:17): use letters, digits, "_" and "-" only (it appears in MQTT topics and URLs)',
    ]);
    // A signal that did not validate is not a missing cycle source.
    expect(
      problems(withTags().replace('signals: { cycleCounter: plc1.count }', 'signals: { cycleCountr: plc1.count }')),
    ).toEqual([
      'lines[0].stations[0].signals.cycleCountr (11:54): unknown key "cycleCountr"; did you mean "cycleCounter"?',
    ]);
    // A tag whose type did not validate is not type-checked against its role.
    expect(problems(withTags().replace('type: uint32 }', 'type: unit32 }'))).toEqual([
      'devices[0].tags[0].type (7:44): must be one of "bool", "bit", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"; got "unit32"',
    ]);
  });

  it('never throw, whatever part of a real config is broken or missing', () => {
    // Every node of the example replaced by each kind of wrong value, and removed: the schema
    // problems come with whatever the cross-field checks can still say, never an exception.
    const example = parse(readFileSync(join(import.meta.dirname, '../../../config/example.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
      else if (v !== null && typeof v === 'object') for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
    };
    walk(example, []);
    expect(paths.length).toBeGreaterThan(300);
    let checked = 0;
    for (const path of paths.slice(1)) {
      for (const replacement of [undefined, null, 'x', 0, -1, 1e9, [], {}, [{}]]) {
        const copy = structuredClone(example);
        let holder = copy as Record<string | number, unknown>;
        for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
        const last = path[path.length - 1] as string | number;
        if (replacement === undefined) delete holder[last];
        else holder[last] = replacement;
        const partial = parseTolerantly(ConfigSchema, copy) as Loose<LinesideConfig>;
        expect(() => crossCheck(partial, copy), JSON.stringify({ path, replacement })).not.toThrow();
        expect(() => resolveFiles(partial, tmp), JSON.stringify({ path, replacement })).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2500);
  });
});
