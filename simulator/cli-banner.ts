/**
 * What `lineside simulate` prints when it starts serving: which plant time it serves (and why, if
 * not the requested one), where each PLC answers, and a command that reads it. A commissioning
 * engineer copies from here, so every line names real values.
 */
import { formatDurationMs } from '../src/config/duration.js';
import type { Scenario } from './scenario-schema.js';
import { lineSetting } from './serial-override.js';
import type { SimulatorHandle } from './start.js';
import type { LiveStart } from './time/live-start.js';
import { formatLocalDateTime } from './time/zoned.js';

export interface BannerInput {
  readonly scenario: Scenario;
  readonly handle: SimulatorHandle;
  readonly live: LiveStart;
  readonly speed: number;
  readonly host: string;
  readonly durationMs?: number;
  /** The request was the wall clock (no --start, no scenario start): say "now", not a date. */
  readonly requestedNow: boolean;
  readonly cold: boolean;
}

export function bannerLines(b: BannerInput): string[] {
  const { scenario, handle, live } = b;
  const zone = scenario.shifts.timezone;
  const local = (ms: number) => formatLocalDateTime(zone, ms);
  const lines = [
    `simulating "${scenario.name}" (seed ${handle.line.seed}) at ${b.speed}x from plant time ${local(live.servedMs)} ${zone} (${new Date(live.servedMs).toISOString()})${b.durationMs !== undefined ? ` for ${formatDurationMs(b.durationMs)}` : ''}`,
  ];
  const requested = `${b.requestedNow ? 'now' : 'the requested start'} (${local(live.requestedMs)})`;
  if (live.moved?.kind === 'warming') {
    lines.push(
      `  ${requested} is ${live.moved.detail}: serving ${formatDurationMs(live.warmupMs)} into it so the line has warmed up`,
    );
  } else if (live.moved !== undefined) {
    lines.push(
      `  ${requested} is ${live.moved.detail}: serving the next production${live.shift !== undefined ? ` (${live.shift} shift)` : ''} instead; --cold serves the requested time as is`,
    );
  } else if (live.noProduction && !b.cold) {
    lines.push(`  no production is scheduled within 14 days of ${requested}: serving it as is (registers stay idle)`);
  }
  if (live.warmupMs > 0) {
    lines.push(
      `  warm-up: the line has been running since ${local(live.runStartMs).slice(-5)} (${formatDurationMs(live.warmupMs)}), so counters and cycle times are live`,
    );
  } else if (b.cold) {
    lines.push('  cold start: counters from 0; the first parts complete after one cycle time');
  }
  for (const plc of scenario.plcs) {
    const stations = new Set(
      plc.registers.flatMap((r) => (r.signal?.includes('.') ? [r.signal.split('.')[0] as string] : [])),
    );
    const serial = plc.transport === 'rtu' && plc.serial !== undefined ? `, ${lineSetting(plc.serial)}` : '';
    lines.push(`  ${plc.id} (${[...stations].join(', ') || 'no stations'}): ${handle.endpoints[plc.id]}${serial}`);
  }
  const pollHost = b.host === '0.0.0.0' ? '127.0.0.1' : b.host;
  const firstTcp = scenario.plcs.find((p) => handle.ports[p.id] !== undefined);
  if (firstTcp !== undefined)
    lines.push(`  try: mbpoll -m tcp -a ${firstTcp.unitId} -r 1 -c 10 -p ${handle.ports[firstTcp.id]} ${pollHost}`);
  const firstRtu = scenario.plcs.find((p) => p.transport === 'rtu' && p.serial !== undefined);
  if (firstRtu?.serial !== undefined) {
    const s = firstRtu.serial;
    lines.push(
      `  try: lineside probe "rtu://OTHER-END?baud=${s.baudRate}&parity=${s.parity}&databits=${s.dataBits}&stopbits=${s.stopBits}" --unit ${firstRtu.unitId} --holding 0-9`,
    );
    lines.push(`       (OTHER-END: the master's side of ${s.path}, e.g. the second pty of a socat pair)`);
  }
  for (const pin of handle.gpio.pins()) lines.push(`  gpio pin ${pin}: virtual part sensor`);
  return lines;
}
