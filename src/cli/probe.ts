/**
 * `lineside probe`: read registers once while commissioning.
 *
 *   lineside probe tcp://10.0.0.5:502 --unit 1 --holding 0-20 --type float32 --order CDAB
 *   lineside probe tcp://10.0.0.5:502 --holding 0-1 --type float32 --order all   # which order?
 *   lineside probe "rtu:///dev/ttyUSB0?baud=19200&parity=even" --unit 3 --input 0-9
 *   lineside probe tcp://10.0.0.5 --addr 40001-40010
 *   lineside probe -c config.yaml --device plc1
 *
 * Exit codes: 0 every read answered, 1 unreachable / timeout / exception, 2 bad arguments or config.
 */
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../config/duration.js';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import type { ModbusTag, RegisterArea, TagType, WordOrder } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';
import { wordsFor } from '../sources/modbus/codec.js';
import { endpointOfDevice, endpointUrl } from '../sources/modbus/endpoint.js';
import { planReads, type PlannerDevice } from '../sources/modbus/planner.js';
import { describeRead } from '../sources/modbus/errors.js';
import {
  formatTable,
  formatValue,
  hintFor,
  probeReads,
  type ProbeResult,
  type ProbeTarget,
} from '../sources/modbus/probe-session.js';
import { parseEndpointUrl } from '../sources/modbus/probe-url.js';
import { EXIT, type CliIo } from './io.js';
import { formatOrdersTable, MULTI_WORD_TYPES, orderHelp, ORDERS, parseOrder, rowsByAddress } from './probe-orders.js';

const USAGE = `usage:
  lineside probe URL [--unit N] (--holding|--input|--coils|--discrete RANGE | --addr MODICON-RANGE)
                     [--type T] [--order O|all] [--length N] [--base 0|1] [--timeout 1s]
  lineside probe -c CONFIG --device ID [--timeout 1s]

  URL     tcp://HOST[:502] | rtu+tcp://HOST:PORT | "rtu:///dev/ttyUSB0?baud=19200&parity=even&databits=8&stopbits=1"
  RANGE   first-last register (inclusive) or one address: 0-20, 100
  --addr  Modicon addresses, area from the first digit: 40001-40010 (holding), 30001 (input), 00001, 10001
  --type  uint16 (default), int16, uint32, int32, uint64, int64, float32, float64, string, bool
${orderHelp()}  --base  1 when the manual numbers registers from 1
`;

const TYPES: readonly TagType[] = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
];
const MODICON_AREA: Record<string, RegisterArea> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' };

class UsageError extends Error {}

export async function runProbe(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        device: { type: 'string', short: 'd' },
        unit: { type: 'string', short: 'u' },
        holding: { type: 'string' },
        input: { type: 'string' },
        coils: { type: 'string' },
        discrete: { type: 'string' },
        addr: { type: 'string' },
        type: { type: 'string', short: 't' },
        order: { type: 'string' },
        length: { type: 'string' },
        base: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    const timeoutMs = values.timeout !== undefined ? parseTimeout(values.timeout) : undefined;
    if (values.config !== undefined) {
      if (positionals.length > 0) throw new UsageError(`with -c, give --device, not a URL ("${positionals[0]}")`);
      if (values.device === undefined) throw new UsageError('-c needs --device ID: which device of the config to read');
      // Silently ignoring it would print the configured orders under a flag that asked for others.
      if (values.order !== undefined)
        throw new UsageError(
          'with -c each tag is decoded in its configured order; --order (and --order all) is for ad-hoc reads from a URL',
        );
      return await probeConfigDevice(values.config, values.device, timeoutMs, io);
    }
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length === 0
          ? 'give the endpoint URL, or -c CONFIG --device ID'
          : `one URL only, got ${positionals.join(' ')}`,
      );
    return await probeAdHoc(positionals[0] as string, values, timeoutMs ?? 1_000, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`lineside probe: ${(err as Error).message}\n\n${USAGE}`);
      return EXIT.badInput;
    }
    throw err;
  }
}

function parseTimeout(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--timeout "${text}": use a duration such as 500ms or 2s`);
  return ms;
}

interface AdHocOptions {
  readonly unit?: string;
  readonly holding?: string;
  readonly input?: string;
  readonly coils?: string;
  readonly discrete?: string;
  readonly addr?: string;
  readonly type?: string;
  readonly order?: string;
  readonly length?: string;
  readonly base?: string;
}

/** Area, first and last protocol address, and how to show addresses back to the user. */
function parseSelection(o: AdHocOptions): {
  area: RegisterArea;
  first: number;
  last: number;
  shown: (offset: number) => string;
} {
  const given = (['holding', 'input', 'coils', 'discrete', 'addr'] as const).filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? 'say what to read: --holding, --input, --coils, --discrete or --addr'
        : `one of --${given.join(', --')} at a time`,
    );
  }
  const key = given[0] as (typeof given)[number];
  const text = o[key] as string;
  const match = /^(\d+)(?:\s*(?:-|\.\.)\s*(\d+))?$/.exec(text.trim());
  if (match === null) throw new UsageError(`--${key} "${text}": give a range such as 0-20 or one address`);
  const from = Number(match[1]);
  const to = Number(match[2] ?? match[1]);
  if (to < from) throw new UsageError(`--${key} "${text}": the range runs backwards`);
  if (key === 'addr') {
    const a = match[1] as string;
    const b = match[2] ?? a;
    const digit = a[0] as string;
    const area = MODICON_AREA[digit];
    if (area === undefined || a.length < 5 || a.length > 6 || b.length !== a.length || b[0] !== digit) {
      throw new UsageError(
        `--addr "${text}": Modicon addresses look like 40001 (holding), 30001 (input), 00001 (coil), 10001 (discrete), both ends in one area`,
      );
    }
    const first = Number(a.slice(1)) - 1;
    const last = Number(b.slice(1)) - 1;
    if (first < 0)
      throw new UsageError(`--addr "${text}": Modicon addresses start at ${digit}${'0'.repeat(a.length - 2)}1`);
    return { area, first, last, shown: (offset) => `${digit}${String(offset + 1).padStart(a.length - 1, '0')}` };
  }
  const base = o.base === undefined ? 0 : Number(o.base);
  if (base !== 0 && base !== 1) throw new UsageError(`--base "${o.base}": use 0 or 1`);
  if (from - base < 0) throw new UsageError(`--${key} "${text}": with --base 1 the first register is 1`);
  const area: RegisterArea = key === 'coils' ? 'coil' : key;
  return { area, first: from - base, last: to - base, shown: (offset) => String(offset + base) };
}

async function probeAdHoc(url: string, o: AdHocOptions, timeoutMs: number, io: CliIo): Promise<number> {
  const parsed = parseEndpointUrl(url);
  if (!parsed.ok) throw new UsageError(parsed.message);
  const unitId = o.unit === undefined ? 1 : Number(o.unit);
  if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) throw new UsageError(`--unit "${o.unit}": use 0..255`);
  const { area, first, last, shown } = parseSelection(o);
  const bits = area === 'coil' || area === 'discrete';
  const type = (o.type ?? (bits ? 'bool' : 'uint16')) as TagType;
  if (!TYPES.includes(type)) throw new UsageError(`--type "${o.type}": use one of ${TYPES.join(', ')}`);
  if (bits && type !== 'bool') throw new UsageError(`${area}s hold single bits: drop --type or use --type bool`);
  const choice = parseOrder(o.order ?? 'ABCD');
  if (choice === undefined) throw new UsageError(`--order "${o.order}": use ${ORDERS.join(', ')} or all`);
  if (choice === 'all' && !MULTI_WORD_TYPES.includes(type)) {
    // A 16-bit register has no word order to compare (BADC/DCBA only swap its bytes), and bits none.
    const what = bits
      ? `${area}s are single bits`
      : `${type} is ${type === 'string' ? 'text' : 'one register'}; add --type float32, int32, ...`;
    throw new UsageError(
      `--order all: byte/word orders apply to 32/64-bit types (${MULTI_WORD_TYPES.join(', ')}): ${what}`,
    );
  }
  // With "all" every address is planned once per order; they overlap, so the planner reads each
  // register once and the codec decodes the same words four ways.
  const orders: readonly WordOrder[] = choice === 'all' ? ORDERS : [choice];
  const order = orders[0] as WordOrder;
  const length = o.length !== undefined ? Number(o.length) : type === 'string' ? last - first + 1 : undefined;
  if (length !== undefined && (!Number.isInteger(length) || length < 1 || length > 125))
    throw new UsageError(`--length "${o.length}": use 1..125 registers`);
  const size = bits ? 1 : wordsFor({ type, ...(length !== undefined ? { length } : {}) });
  // The range is read in whole values: "--holding 0-20 --type float32" reads floats at 0, 2, ... 20.
  const tags: ModbusTag[] = [];
  let values = 0;
  for (let offset = first; offset <= last; offset += size) {
    if (offset + size - 1 > 65535) break;
    if (++values > 10_000) throw new UsageError('that is more than 10000 values; probe a smaller range');
    for (const o of orders) {
      tags.push({
        name: `a${offset}.${o}`,
        area,
        address: offset,
        type,
        order: o,
        scale: 1,
        offset: 0,
        deadband: 0,
        ...(length !== undefined && type === 'string' ? { length } : {}),
      });
    }
  }
  const device: PlannerDevice = {
    id: 'probe',
    addressBase: 0,
    order,
    maxGap: 0,
    maxRegistersPerRequest: 125,
    maxBitsPerRequest: 2000,
    tags,
  };
  const plan = planReads(device);
  const target: ProbeTarget = { endpoint: parsed.endpoint, device: 'probe', unitId, timeoutMs, labelTags: false };
  const shownOrder = choice === 'all' ? ' in all four orders' : size > 1 && type !== 'string' ? ` ${order}` : '';
  io.stdout.write(
    `${endpointUrl(parsed.endpoint)} unit ${unitId}: ${plan.reads.map(describeRead).join(', ')}${bits ? '' : ` as ${type}${shownOrder}`}\n`,
  );
  const result = await probeReads(target, plan.reads);
  // Rows of failed requests are left out: the error below says why, once.
  const answered = result.rows.filter((r) => r.raw !== '');
  if (choice === 'all') {
    if (answered.length > 0) io.stdout.write(formatOrdersTable(rowsByAddress(answered, shown)));
  } else {
    const rows = answered.map((r) => [
      shown(r.tag.offset),
      r.raw,
      r.problem !== undefined ? `(${r.problem})` : formatValue(r.value),
    ]);
    if (rows.length > 0) io.stdout.write(formatTable(['address', 'raw', 'value'], rows));
  }
  return reportErrors(result, io, area);
}

async function probeConfigDevice(
  file: string,
  deviceId: string,
  timeoutMs: number | undefined,
  io: CliIo,
): Promise<number> {
  const loaded = loadConfigFile(file);
  if (!loaded.ok) {
    io.stderr.write(
      `lineside probe: ${file} is not a valid config:\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`,
    );
    return EXIT.badInput;
  }
  const device = loaded.config.devices.find((d) => d.id === deviceId);
  if (device === undefined) {
    const ids = loaded.config.devices.map((d) => d.id);
    io.stderr.write(
      `lineside probe: no device "${deviceId}" in ${file}${didYouMean(deviceId, ids)} (devices: ${ids.join(', ') || 'none'})\n`,
    );
    return EXIT.badInput;
  }
  const plan = planReads(device);
  const endpoint = endpointOfDevice(device);
  io.stdout.write(
    `${device.id} ${endpointUrl(endpoint)} unit ${device.unitId}: ${device.tags.length} tags in ${plan.reads.length} requests\n`,
  );
  const result = await probeReads(
    {
      endpoint,
      device: device.id,
      unitId: device.unitId,
      timeoutMs: timeoutMs ?? device.timeout,
      interRequestDelayMs: device.interRequestDelay,
    },
    plan.reads,
  );
  const byName = new Map(result.rows.map((r) => [r.tag.name, r]));
  const rows = device.tags.map((tag) => {
    const row = byName.get(tag.name);
    const bad = plan.invalid.find((i) => i.tag === `${device.id}.${tag.name}`);
    const address = typeof tag.address === 'string' ? tag.address : `${tag.area ?? 'holding'} ${tag.address}`;
    const value =
      bad !== undefined
        ? `(${bad.message})`
        : row?.problem !== undefined
          ? `(${row.problem})`
          : formatValue(row?.value);
    return [tag.name, address, row?.raw ?? '', value, tag.unit ?? ''];
  });
  io.stdout.write(formatTable(['name', 'address', 'raw', 'value', 'unit'], rows));
  const code = reportErrors(result, io);
  return plan.invalid.length > 0 && code === EXIT.ok ? EXIT.badInput : code;
}

function reportErrors(result: ProbeResult, io: CliIo, area?: RegisterArea): number {
  const seen = new Set<string>();
  for (const { error } of result.errors) {
    const text = error.toString();
    if (seen.has(text)) continue;
    seen.add(text);
    const hint = hintFor(error, area);
    io.stderr.write(`error: ${text}\n${hint !== '' ? `  hint: ${hint}\n` : ''}`);
  }
  return result.errors.length > 0 ? EXIT.runtime : EXIT.ok;
}
