/**
 * The predictor attached to the real streaming core: PLC-level samples (counter, running bit,
 * vibration) go in, the core's state and cycle events reach the predictor through
 * attachPredictor, and a rising vibration comes out as an alert; detaching stops the flow.
 */
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../src/core/index.js';
import type { AlertEvent } from '../../../src/core/events.js';
import { attachPredictor, createPredictor } from '../../../src/predict/index.js';
import { Feeder, HOUR, stationConfig, T0 } from './helpers.js';

describe('attachPredictor with the real core', () => {
  it('turns a rising vibration read next to a running machine into an alert, and detaches cleanly', () => {
    const config = stationConfig({ conditions: '[{ tag: plc1.vib, kind: vibration, warning: 4.5, alarm: 7.1 }]' });
    let mono = 0;
    const clock = { wallMs: () => T0 + mono, monoMs: () => mono };
    const core = createCore(config, { clock });
    const predictor = createPredictor(config, { clock });
    const alerts: AlertEvent[] = [];
    const detach = attachPredictor(core, predictor, { onAlert: (e) => alerts.push(e) });
    let count = 0;
    const poll = (vibration: number): void => {
      const ts = T0 + mono;
      if (mono % 10_000 === 0) count++;
      for (const [tag, value] of [
        ['plc1.count', count],
        ['plc1.running', true],
        ['plc1.fault', 0],
        ['plc1.vib', vibration],
      ] as const) {
        const sample = { tag, value, ts, mono };
        core.sample(sample);
        predictor.onSample(sample);
      }
      core.tick();
      predictor.tick();
    };
    let i = 0;
    for (; mono < 2 * HOUR; mono += 1000) poll(2.5 + 0.15 * Feeder.noise(i++));
    expect(alerts).toHaveLength(0);
    const rampStart = mono;
    for (; mono < rampStart + 3 * HOUR; mono += 1000) poll(2.5 + (mono - rampStart) / HOUR + 0.15 * Feeder.noise(i++));
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]).toMatchObject({
      type: 'alert',
      line: 'line1',
      station: 'press',
      kind: 'condition_trend',
      status: 'active',
    });
    const seen = alerts.length;
    detach();
    for (let k = 0; k < 3600; k++, mono += 1000) poll(9);
    expect(alerts).toHaveLength(seen);
  });
});
