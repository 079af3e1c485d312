/**
 * Extending the agent is one factory per part: here a test-only source (a counter that a test
 * turns) and a test-only output (events as JSON lines, tests/helpers/jsonl-output) join the
 * registry's list, and the whole agent runs them: source -> core -> spool -> runner -> file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../../src/agent/agent.js';
import { OUTPUTS } from '../../../src/agent/registry.js';
import { loadConfigText } from '../../../src/config/load.js';
import type { CycleEvent } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { SourceFactory } from '../../../src/sources/source.js';
import { CounterSource, TestClock } from '../../helpers/counter-source.js';
import { jsonlOutput } from '../../helpers/jsonl-output/index.js';
import { until } from '../../helpers/wait.js';

const T0 = Date.UTC(2026, 11, 1, 8);

const CONFIG = `
site: { enterprise: acme, site: plant1 }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
      - { name: partCount, address: 0, type: uint32 }
      - { name: running, address: 2, type: bit, bit: 0 }
      - { name: fault, address: 3 }
lines:
  - id: line1
    stations:
      - id: press
        idealCycleTime: 10s
        signals: { cycleCounter: plc1.partCount, running: plc1.running, faultCode: plc1.fault }
mqtt: { enabled: false }
server: { enabled: false }
alerts: { enabled: false }
storage: { dir: DIR, commitInterval: 20ms }
`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function startAgent(dir: string, file: string): { agent: Agent; source: CounterSource } {
  const loaded = loadConfigText(CONFIG.replace('DIR', JSON.stringify(dir)), { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const clock = new TestClock(T0);
  const source = new CounterSource(clock);
  const testSource: SourceFactory = { name: 'test-counter', enabled: () => true, create: () => source };
  // The one line that adds the output: the registry's list plus the new factory.
  const agent = createAgent({
    config: loaded.config,
    logger: silentLogger,
    clock,
    outputs: [...OUTPUTS, jsonlOutput(file)],
    sources: [testSource],
  });
  cleanups.push(() => agent.stop());
  return { agent, source };
}

function cycles(file: string): CycleEvent[] {
  if (!existsSync(file)) return [];
  // The output appends asynchronously: read only the lines written to their end.
  const events = readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as { type: string });
  return events.filter((e): e is CycleEvent => e.type === 'cycle');
}

describe('a test-only source and output in the registry', () => {
  it('carry the core events to a JSON-lines file through the spool, listed with the other outputs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-ext-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'events.jsonl');
    const { agent, source } = startAgent(dir, file);
    await agent.start();
    for (let i = 0; i < 5; i++) source.part();
    await until(() => cycles(file).length === 5, 'five cycles in the file');
    expect(cycles(file).map((c) => c.seq)).toEqual([...cycles(file).map((c) => c.seq)].sort((a, b) => a - b));
    expect(agent.outputs.map((o) => o.status())).toContainEqual(
      expect.objectContaining({ name: 'jsonl', up: true, errors: 0 }),
    );
    // Delivered rows are acknowledged: the spool has nothing pending for the new destination.
    await until(() => agent.spool.ackedId('jsonl') === agent.spool.lastCommittedId(), 'acknowledged');
    await agent.stop();

    // A restart sends only what is new: nothing twice.
    const again = startAgent(dir, file);
    await again.agent.start();
    again.source.part();
    await until(() => cycles(file).length >= 6, 'the sixth cycle');
    await again.agent.stop();
    const ids = cycles(file).map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
