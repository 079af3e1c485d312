/**
 * Against the real simulator: the demo scenario's pack-station part sensor (pulses with contact
 * bounce) through the "sim" driver and the demo config's debounce gives one count per part the
 * simulator's ground truth records, each stamped at the part's own (virtual) time.
 */
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import type { Clock } from '../../../src/core/sample.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createGpioSource } from '../../../src/sources/gpio/source.js';
import { createSimLine, loadScenarioFile, SCENARIO_DIR } from '../../../simulator/index.js';
import { RecordingSink } from '../../fixtures/gpio/harness.js';

describe("GPIO source on the simulator's demo line", () => {
  it('counts exactly the parts the ground truth says passed the sensor, at their times', async () => {
    const loaded = loadScenarioFile('demo');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const config = loadConfigFile(`${SCENARIO_DIR}/demo.config.yaml`, { env: {} });
    if (!config.ok) throw new Error(JSON.stringify(config.issues));
    const sensor = config.config.gpio.inputs.find((i) => i.name === 'pack_sensor');
    const spec = loaded.scenario.gpio.inputs.find((i) => i.pin === sensor?.pin);
    expect(sensor && spec).toBeTruthy();

    const partsEndMs: number[] = [];
    const line = createSimLine(loaded.scenario, {
      seed: 7,
      onTruth: (r) => {
        if (r.type === 'cycle' && r.station === spec?.station) partsEndMs.push(r.endMs);
      },
    });
    const clock: Clock = { monoMs: () => line.nowMs, wallMs: () => line.startWallMs + line.nowMs };
    const src = createGpioSource(config.config, {
      clock,
      logger: silentLogger,
      sim: line.gpio,
      simDeliveredThroughMs: () => line.nowMs,
    });
    const sink = new RecordingSink();
    await src.start(sink);
    try {
      const hourMs = 3_600_000;
      for (let t = 0; t <= hourMs; t += 1_000) {
        line.advanceTo(t);
        src.flush();
      }
      // Parts whose sensor pulse is still in progress at the end are not due yet.
      const due = partsEndMs.filter((end) => end <= line.startWallMs + hourMs - 1_000);
      const counts = sink.of('gpio.pack_sensor').slice(1);
      expect(due.length).toBeGreaterThan(30);
      expect(counts.slice(0, due.length).map((s) => s.value)).toEqual(due.map((_, i) => i + 1));
      expect(counts.slice(0, due.length).map((s) => s.ts)).toEqual(due);
      expect(counts.length).toBeLessThanOrEqual(partsEndMs.length);
      expect(src.inputs()[0]?.stats?.rawEdges).toBeGreaterThan(2 * due.length); // bounce did reach us
    } finally {
      await src.stop();
    }
  });
});
