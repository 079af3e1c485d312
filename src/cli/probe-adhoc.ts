/**
 * `lineside probe URL ...`: an ad-hoc read of a register range from an endpoint URL, printed as a
 * table of address, raw words and value (or, with `--order all`, one column per order).
 */
import type { ModbusTag, WordOrder } from '../config/schema.js';
import { endpointUrl } from '../sources/modbus/endpoint.js';
import { describeRead } from '../sources/modbus/errors.js';
import { planReads, type PlannerDevice } from '../sources/modbus/planner.js';
import { formatTable, formatValue, probeReads, type ProbeTarget } from '../sources/modbus/probe-session.js';
import { parseEndpointUrl } from '../sources/modbus/probe-url.js';
import type { CliIo } from './io.js';
import { parseAdHocRead, UsageError, type AdHocOptions } from './probe-args.js';
import { formatOrdersTable, rowsByAddress } from './probe-orders.js';
import { reportErrors } from './probe-report.js';

export async function probeAdHoc(url: string, o: AdHocOptions, timeoutMs: number, io: CliIo): Promise<number> {
  const parsed = parseEndpointUrl(url);
  if (!parsed.ok) throw new UsageError(parsed.message);
  const { unitId, area, first, last, shown, bits, type, choice, orders, length, size } = parseAdHocRead(o);
  const order = orders[0] as WordOrder;
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
