/**
 * Each bundled scenario comes with a Lineside config. The config must read every bound signal
 * where the scenario's PLC program puts it: checked statically (compareConfigToScenario, built on
 * the config's own resolveAddress) and live, by reading each station tag of the config from the
 * running simulator over Modbus TCP and comparing with the simulated line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAddress } from '../../../src/config/addresses.js';
import { loadConfigFile, loadConfigText } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { compareConfigToScenario } from '../../../simulator/config-agreement.js';
import { BUNDLED_SCENARIOS, loadScenarioFile, SCENARIO_DIR } from '../../../simulator/scenario-load.js';
import type { Scenario } from '../../../simulator/scenario-schema.js';
import { startSimulator, type SimulatorHandle } from '../../../simulator/start.js';
import { VirtualClock } from '../../../simulator/time/virtual-clock.js';
import { freePort } from '../../helpers/ports.js';
import { closeClient, f32, f64, i16, tcpClient, u32, type Client } from './modbus-client.js';

function scenario(name: string): Scenario {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new Error(`${name} invalid`);
  return r.scenario as Scenario;
}

function config(name: string, env: Record<string, string> = {}): LinesideConfig {
  const r = loadConfigFile(path.join(SCENARIO_DIR, `${name}.config.yaml`), { env });
  if (!r.ok) throw new Error(`${name}.config.yaml invalid: ${JSON.stringify(r.issues)}`);
  return r.config as LinesideConfig;
}

describe.each(BUNDLED_SCENARIOS)('%s.config.yaml', (name) => {
  it('loads with loadConfigFile and agrees with the scenario on every bound signal', () => {
    expect(compareConfigToScenario(config(name), scenario(name))).toEqual([]);
  });

  it('takes its PLC ports from LINESIDE_SIM_PORT_PLC1/PLC2', () => {
    const c = config(name, { LINESIDE_SIM_PORT_PLC1: '23001', LINESIDE_SIM_PORT_PLC2: '23002' });
    expect(c.devices.map((d) => (d.protocol === 'modbus-tcp' ? d.port : undefined))).toEqual([23001, 23002]);
  });
});

describe('the comparison catches a config that reads the wrong place', () => {
  const text = readFileSync(path.join(SCENARIO_DIR, 'steady.config.yaml'), 'utf8');
  const mutate = (from: string, to: string) => {
    expect(text).toContain(from);
    const r = loadConfigText(text.replace(from, to), { env: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return compareConfigToScenario(r.config as LinesideConfig, scenario('steady'));
  };

  it('a shifted address', () => {
    expect(mutate('{ name: press_fault, address: 4 }', '{ name: press_fault, address: 5 }')).toEqual([
      expect.stringContaining('signals.faultCode: plc1.press_fault reads holding 5'),
    ]);
  });
  it('a wrong word order', () => {
    expect(
      mutate(
        '{ name: weld_count, address: 10, type: uint32, order: CDAB }',
        '{ name: weld_count, address: 10, type: uint32 }',
      ),
    ).toEqual([expect.stringContaining('order ABCD, the scenario writes CDAB')]);
  });
  it('a wrong bit', () => {
    expect(
      mutate(
        '{ name: press_starved, address: 5, type: bit, bit: 1 }',
        '{ name: press_starved, address: 5, type: bit, bit: 2 }',
      ),
    ).toHaveLength(1);
  });
});

describe('reading the demo line through its config, live', () => {
  let sim: SimulatorHandle;
  let cfg: LinesideConfig;
  const clients = new Map<string, Client>();
  const clock = new VirtualClock({ startWallMs: Date.UTC(2025, 0, 6, 5) });

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'demo', clock, ports: { plc1: await freePort(), plc2: await freePort() } });
    cfg = config('demo', {
      LINESIDE_SIM_PORT_PLC1: String(sim.ports.plc1),
      LINESIDE_SIM_PORT_PLC2: String(sim.ports.plc2),
    });
    for (const d of cfg.devices) if (d.protocol === 'modbus-tcp') clients.set(d.id, await tcpClient(d.port, d.unitId));
    clock.advance(90 * 60_000);
  });
  afterAll(async () => {
    for (const c of clients.values()) await closeClient(c);
    await sim?.stop();
  });

  /** Reads a config tag with an independent decoder (types the demo config uses). */
  async function readTag(ref: string): Promise<number | boolean> {
    const [deviceId, tagName] = ref.split('.') as [string, string];
    const device = cfg.devices.find((d) => d.id === deviceId);
    const tag = device?.tags.find((t) => t.name === tagName);
    const client = clients.get(deviceId);
    if (device === undefined || tag === undefined || client === undefined) throw new Error(`no tag ${ref}`);
    const where = resolveAddress(tag, device);
    if (typeof where === 'string') throw new Error(where);
    const order = tag.order ?? device.order;
    if (where.area === 'coil') return (await client.readCoils(where.offset, 1)).data[0] as boolean;
    if (where.area === 'discrete') return (await client.readDiscreteInputs(where.offset, 1)).data[0] as boolean;
    const w = (
      where.area === 'input'
        ? await client.readInputRegisters(where.offset, where.count)
        : await client.readHoldingRegisters(where.offset, where.count)
    ).data;
    const words = order === 'CDAB' ? [...w].reverse() : w;
    switch (tag.type) {
      case 'bit':
        return (((words[0] as number) >> (tag.bit ?? 0)) & 1) === 1;
      case 'uint16':
        return (words[0] as number) * tag.scale + tag.offset;
      case 'int16':
        return i16(words[0] as number) * tag.scale + tag.offset;
      case 'uint32':
        return u32(words[0] as number, words[1] as number);
      case 'float32':
        return f32(words[0] as number, words[1] as number);
      case 'float64':
        return f64(words);
      default:
        throw new Error(`test decoder does not handle ${tag.type}`);
    }
  }

  it('every station signal the config binds reads the simulated line value', async () => {
    let checked = 0;
    for (const station of cfg.lines[0]?.stations ?? []) {
      const s = sim.line.stations.get(station.id);
      if (s === undefined) throw new Error(`no simulated station ${station.id}`);
      const expected: Record<string, number | boolean> = {
        cycleCounter: (s.spec.counters.partStart + s.total) % 2 ** (station.id === 'pack' ? 16 : 32),
        running: s.processing,
        faultCode: s.faultCode,
        goodCount: s.good,
        rejectCount: s.reject,
        starved: s.starved,
        blocked: s.blocked,
        plannedStop: s.plannedBit,
      };
      for (const [key, ref] of Object.entries(station.signals)) {
        if (ref === undefined || ref.startsWith('gpio.')) continue;
        expect(await readTag(ref), `${station.id}.${key} via ${ref}`).toBe(expected[key]);
        checked++;
      }
      for (const condition of station.conditions) {
        const name = { vibration: 'vibration', temperature: 'temperature', current: 'current' }[
          condition.kind as string
        ] as string;
        expect(await readTag(condition.tag)).toBeCloseTo(sim.line.conditionValue(station.id, name), 1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3 * 7 + 4);
  });

  it("the pack station's cyclePulse input is a pin the simulator drives", () => {
    const pin = cfg.gpio.inputs.find((g) => g.name === 'pack_sensor')?.pin;
    expect(cfg.gpio.driver).toBe('sim');
    expect(sim.gpio.pins()).toContain(pin);
  });
});
