import { describe, expect, it } from 'vitest';
import {
  formatScenarioIssues,
  loadScenarioFile,
  loadScenarioText,
  BUNDLED_SCENARIOS,
} from '../../../simulator/scenario-load.js';

const base = (station: string, plcs = '') => `
name: t
line:
  id: l
  stations:
${station}
${plcs}`;

function issues(yaml: string) {
  const r = loadScenarioText(yaml);
  if (r.ok) throw new Error('expected the scenario to be rejected');
  return r.issues.map((i) => ({ path: i.path.join('.'), message: i.message, line: i.line }));
}

describe('scenario validation names the path of every problem', () => {
  it('unknown keys, with a suggestion and the line', () => {
    const found = issues(base('    - { id: a, idealCycletime: 10s }'));
    expect(found).toContainEqual(
      expect.objectContaining({
        path: 'line.stations.0.idealCycletime',
        message: expect.stringContaining('did you mean "idealCycleTime"'),
      }),
    );
    expect(found.find((i) => i.path.endsWith('idealCycletime'))?.line).toBe(6);
  });

  it('malformed durations and distributions', () => {
    expect(issues(base('    - { id: a, idealCycleTime: 10 sec }'))).toContainEqual(
      expect.objectContaining({ path: 'line.stations.0.idealCycleTime' }),
    );
    expect(
      issues(base('    - { id: a, idealCycleTime: 10s, cycleTime: { dist: lognormal, mean: 10s } }')),
    ).toContainEqual(expect.objectContaining({ path: 'line.stations.0.cycleTime.cv' }));
    expect(issues(base('    - { id: a, idealCycleTime: 10s, cycleTime: { dist: gauss, mean: 10s } }'))).toContainEqual(
      expect.objectContaining({ path: 'line.stations.0.cycleTime.dist' }),
    );
  });

  it('signals that name no station or condition, and overlapping registers', () => {
    const plcs = `plcs:
  - id: plc1
    registers:
      - { signal: press.partCount, address: 0, type: uint32 }
      - { signal: a.partCount, address: 0, type: uint32 }
      - { signal: a.running, address: 1 }
      - { signal: a.condition.heat, area: input, address: 0, type: float32 }
      - { signal: a.running, address: 10, type: bit, bit: 0 }
      - { signal: a.starved, address: 10, type: bit, bit: 0 }
      - { signal: a.blocked, address: 10, type: bit, bit: 1 }`;
    const found = issues(base('    - { id: a, idealCycleTime: 10s }', plcs));
    expect(found).toContainEqual(
      expect.objectContaining({ path: 'plcs.0.registers.0.signal', message: 'no station "press"' }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        path: 'plcs.0.registers.2',
        message: expect.stringContaining('holding 1 is already used by plcs[0].registers[1]'),
      }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({ path: 'plcs.0.registers.3.signal', message: 'station "a" has no condition "heat"' }),
    );
    expect(found).toContainEqual(expect.objectContaining({ path: 'plcs.0.registers.5' }));
    // distinct bits of one status word are fine
    expect(found.some((i) => i.path === 'plcs.0.registers.6')).toBe(false);
  });

  it('line structure: buffers between stations, thresholds, references', () => {
    const found = issues(`
name: t
line:
  id: l
  outputStation: packer
  stations:
    - { id: a, idealCycleTime: 10s, microStopThreshold: 5s }
    - { id: b, idealCycleTime: 10s }
degradation:
  - { id: w, station: c, at: 1h, ramp: 1h, fault: { code: 1, reason: x, mttr: 1m } }
commsFaults:
  - { plc: plc9, kind: delay, at: 1h, duration: 1m }
`);
    expect(found.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'line.stations.0.outputBuffer',
        'line.stations.0.microStopThreshold',
        'line.outputStation',
        'degradation.0.station',
        'commsFaults.0.plc',
        'commsFaults.0.delay',
      ]),
    );
  });

  it('a missing file is an issue naming the file, not an exception', () => {
    const r = loadScenarioFile('/nonexistent/x.yaml');
    if (r.ok) throw new Error('a missing file cannot load');
    expect(formatScenarioIssues(r)).toContain(
      '/nonexistent/x.yaml: (root): cannot read /nonexistent/x.yaml: file not found',
    );
  });

  it.each(BUNDLED_SCENARIOS)('the bundled scenario "%s" is valid', (name) => {
    const r = loadScenarioFile(name);
    expect(r.ok ? [] : r.issues).toEqual([]);
  });
});
