/**
 * `lineside probe -c CONFIG --device ID`: reads every tag of one configured device once, decoded
 * as configured, and prints name, address, raw words, value and unit.
 */
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { didYouMean } from '../config/suggest.js';
import { endpointOfDevice, endpointUrl } from '../sources/modbus/endpoint.js';
import { planReads } from '../sources/modbus/planner.js';
import { formatTable, formatValue, probeReads } from '../sources/modbus/probe-session.js';
import { EXIT, type CliIo } from './io.js';
import { reportErrors } from './probe-report.js';

export async function probeConfigDevice(
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
