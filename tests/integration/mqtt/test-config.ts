/**
 * A minimal valid Lineside config for publisher tests, built through the real loader so defaults
 * and secret handling are the agent's own. Three stations on line1: press, weld, pack.
 */
import { stringify } from 'yaml';
import type { LinesideConfig } from '../../../src/config/schema.js';
import { loadConfigText } from '../../../src/config/load.js';

export const STATIONS = ['press', 'weld', 'pack'] as const;

export interface TestConfigOptions {
  /** `mqtt:` section merged over the defaults below. */
  mqtt?: Record<string, unknown>;
  agentId?: string;
  baseDir?: string;
}

export function configYaml(opts: TestConfigOptions = {}): string {
  const doc = {
    site: { enterprise: 'acme', site: 'plant1' },
    agent: { id: opts.agentId ?? 'agent1' },
    devices: [
      {
        id: 'plc1',
        protocol: 'modbus-tcp',
        host: '127.0.0.1',
        port: 502,
        tags: STATIONS.map((s, i) => ({ name: `${s}_count`, area: 'holding', address: i * 2, type: 'uint16' })),
      },
    ],
    lines: [
      {
        id: 'line1',
        stations: STATIONS.map((s) => ({ id: s, idealCycleTime: '10s', signals: { cycleCounter: `plc1.${s}_count` } })),
      },
    ],
    mqtt: { reconnectMin: '200ms', reconnectMax: '1s', ...opts.mqtt },
  };
  return stringify(doc);
}

export function testConfig(opts: TestConfigOptions = {}): Readonly<LinesideConfig> {
  const result = loadConfigText(configYaml(opts), {
    env: {},
    ...(opts.baseDir === undefined ? {} : { baseDir: opts.baseDir }),
  });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.issues)}`);
  return result.config;
}
