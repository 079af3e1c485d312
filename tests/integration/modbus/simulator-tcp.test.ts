/**
 * The poller against the simulator's virtual PLCs over real Modbus TCP: every type and word
 * order of the simulator's fixed test block decodes to the value the scenario defines, and the
 * demo line's own config reads the line's live counters. The simulator runs on a manual virtual
 * clock, so the line only moves when the test says so, and samples carry virtual time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { createModbusSource, type ModbusSource } from '../../../src/sources/modbus/source.js';
import { startSimulator, testBlockEntries, VirtualClock, type SimulatorHandle } from '../../../simulator/index.js';
import { device, RecordingSink, testLogger, waitFor } from './support.js';

let sim: SimulatorHandle | undefined;
const clock = new VirtualClock({ startWallMs: Date.UTC(2025, 0, 6, 6, 0, 0) });

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'demo', clock, basePort: 0, seed: 7 });
  clock.advance(15 * 60_000); // a quarter of an hour of production
});

afterAll(async () => {
  await sim?.stop();
});

async function pollUntilAllTags(
  config: Pick<LinesideConfig, 'devices'>,
): Promise<{ sink: RecordingSink; source: ModbusSource }> {
  const sink = new RecordingSink();
  const source = createModbusSource(config, { clock, logger: testLogger });
  await source.start(sink);
  const expected = config.devices.flatMap((d) => d.tags.map((t) => `${d.id}.${t.name}`));
  try {
    await waitFor(
      () => expected.every((tag) => sink.last(tag) !== undefined),
      15_000,
      `a value for each of ${expected.length} tags`,
    );
  } finally {
    await source.stop();
  }
  return { sink, source };
}

describe('against the simulator over TCP', () => {
  it('every type and word order of the test blocks decodes to the scenario value', async () => {
    const blocks = [
      { plc: 'plc1', area: 'holding' as const },
      { plc: 'plc2', area: 'input' as const },
    ];
    const devices = blocks.map(({ plc, area }) => {
      const entries = testBlockEntries(area, 1000);
      return {
        entries,
        config: device({
          protocol: 'modbus-tcp',
          id: plc,
          host: '127.0.0.1',
          port: sim!.ports[plc],
          pollInterval: '200ms',
          tags: entries.map((e, i) => ({
            name: `t${i}`,
            area,
            address: e.address,
            type: e.type,
            order: e.order,
            ...(e.length !== undefined ? { length: e.length } : {}),
          })),
        }),
      };
    });
    expect(devices[0]!.entries.length).toBeGreaterThan(30);
    const { sink } = await pollUntilAllTags({ devices: devices.map((d) => d.config) });
    for (const { entries, config } of devices) {
      entries.forEach((entry, i) => {
        expect(sink.last(`${config.id}.t${i}`), entry.label).toBe(entry.value);
      });
    }
  });

  it("the demo line's own config reads the line's live counters, identity and bits", async () => {
    const loaded = loadConfigFile('simulator/scenarios/demo.config.yaml', {
      env: { LINESIDE_SIM_PORT_PLC1: String(sim!.ports.plc1), LINESIDE_SIM_PORT_PLC2: String(sim!.ports.plc2) },
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const { sink } = await pollUntilAllTags(loaded.config);
    const press = sim!.line.stations.get('press')!;
    const weld = sim!.line.stations.get('weld')!;
    const pack = sim!.line.stations.get('pack')!;
    expect(press.total).toBeGreaterThan(0);
    expect(sink.last('plc1.press_count')).toBe(press.total);
    expect(sink.last('plc1.press_good')).toBe(press.good);
    expect(sink.last('plc1.weld_count')).toBe(weld.total); // CDAB on the wire
    // The demo's pack counter starts at 65300 (scenario counters.partStart) so it wraps early.
    const packStart = sim!.scenario.line.stations.find((st) => st.id === 'pack')!.counters.partStart;
    expect(sink.last('plc2.pack_count')).toBe((packStart + pack.total) % 65536);
    expect(sink.last('plc1.identity')).toBe('LS-SIM-1');
    expect(sink.last('plc2.identity')).toBe('LS-SIM-2');
    expect(typeof sink.last('plc2.pack_running')).toBe('boolean');
    // float32 on the wire: the poller reports the shortest decimal of the same float32.
    expect(Math.fround(sink.last('plc1.press_vibration') as number)).toBe(
      Math.fround(sim!.line.conditionValue('press', 'vibration')),
    );
    expect(sink.last('plc1.weld_current')).toBe(sim!.line.conditionValue('weld', 'current')); // float64: exact
    // Sample time is the injected (virtual) clock's, taken when the reply arrived.
    const sample = sink.samples.find((s) => s.tag === 'plc1.press_count')!;
    expect(sample.ts).toBe(clock.wallMs());
    expect(sample.mono).toBe(clock.monoMs());
  });
});
