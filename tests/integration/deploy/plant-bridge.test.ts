/**
 * deploy/mosquitto/plant-bridge.conf, as shipped (only its CHANGE-ME values filled in), bridges a
 * line's Mosquitto to a plant broker that wants a password: a real agent publishes to its local
 * broker and the plant sees its retained ledger and status; a plant broker outage loses no ledger
 * (the local broker queues for the bridge); a dead line Pi shows on the plant broker as the
 * bridge's notification turning "0".
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../../src/agent/agent.js';
import { loadConfigText } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { SourceFactory } from '../../../src/sources/source.js';
import { startMosquitto, mosquittoPasswordFile, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { startSubscriber } from '../mqtt/subscriber.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLE = readFileSync(path.join(ROOT, 'deploy/mosquitto/plant-bridge.conf'), 'utf8');

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The sample with its placeholders filled in, as a plant engineer would. */
function bridgeConf(plant: MosquittoHandle): string {
  const conf = SAMPLE.replace('CHANGE-ME-plant-broker:1883', `127.0.0.1:${plant.port}`)
    .replace('CHANGE-ME-line-user', 'line1')
    .replace('CHANGE-ME-password', 'line1-secret')
    .replace('CHANGE-ME-line1-bridge', 'line1-bridge')
    .replace('CHANGE-ME-line1-pi', 'line1-pi');
  expect(conf.split('\n').filter((l) => !l.startsWith('#') && l.includes('CHANGE-ME'))).toEqual([]);
  return conf;
}

const idle: SourceFactory = {
  name: 'idle',
  enabled: () => true,
  create: () => ({ name: 'idle', start: async () => undefined, stop: async () => undefined, health: () => [] }),
};

describe('the sample plant bridge', () => {
  it('carries the line to the plant broker, queues through a plant outage, and reports a dead Pi', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lineside-bridge-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The plant broker wants a password and keeps sessions across its restart.
    const plantDir = mkdtempSync(path.join(tmpdir(), 'lineside-plant-broker-'));
    cleanups.push(() => rmSync(plantDir, { recursive: true, force: true }));
    const passwd = await mosquittoPasswordFile(plantDir, 'line1', 'line1-secret');
    const plant = await startMosquitto({
      extraConf: `allow_anonymous false\npassword_file ${passwd}\npersistence true\npersistence_location ${plantDir}/\n`,
    });
    cleanups.push(() => plant.close());
    const local = await startMosquitto({ extraConf: bridgeConf(plant) });
    cleanups.push(() => local.close());

    const loaded = loadConfigText(
      `
site: { enterprise: acme, site: plant1 }
agent: { id: line1-pi, oeeInterval: 1s }
devices:
  - { id: plc1, protocol: modbus-tcp, host: 127.0.0.1, tags: [{ name: partCount, address: 0, type: uint32 }] }
shifts:
  timezone: UTC
  shifts:
    - { name: first, start: "00:00", end: "12:00" }
    - { name: second, start: "12:00", end: "00:00" }
lines:
  - id: line1
    stations: [{ id: press, idealCycleTime: 10s, signals: { cycleCounter: plc1.partCount } }]
mqtt: { url: ${JSON.stringify(local.url)} }
server: { enabled: false }
storage: { dir: ${JSON.stringify(dir)}, commitInterval: 20ms }
`,
      { env: {} },
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    // The plant side: a persistent session, so nothing the bridge delivers while we reconnect is missed.
    const sub = await startSubscriber(
      plant.url,
      ['acme/plant1/line1/ledger', 'acme/plant1/line1/oee', 'acme/plant1/agents/line1-pi/#'],
      { clientId: 'plant-server-test', persistent: true, username: 'line1', password: 'line1-secret' },
    );
    cleanups.push(() => sub.close());
    const agent = createAgent({ config: loaded.config, logger: silentLogger, sources: [idle] });
    cleanups.push(() => agent.stop());
    await agent.start();

    const ledgers = () => sub.on('acme/plant1/line1/ledger').map((m) => m.json as Record<string, unknown>);
    await sub.waitFor(() => ledgers().length >= 2, 'ledgers over the bridge');
    await sub.waitFor(
      () => sub.on('acme/plant1/agents/line1-pi/status').some((m) => m.text === 'online'),
      'the agent online over the bridge',
    );
    await sub.waitFor(
      () => sub.on('acme/plant1/agents/line1-pi/bridge').some((m) => m.text === '1'),
      "the bridge's notification",
    );
    expect(ledgers()[0]).toMatchObject({ agentId: 'line1-pi', outputStation: 'press', final: false });

    // The plant broker goes away for a while: the ledgers of that time arrive when it is back.
    await plant.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await plant.start();
    const before = ledgers().length;
    await sub.waitFor(() => ledgers().length >= before + 5, 'ledgers after the plant outage', 30_000);
    // The line's events (its OEE and ledger) share one sequence: no gap, nothing lost.
    const lineEvents = [...sub.on('acme/plant1/line1/ledger'), ...sub.on('acme/plant1/line1/oee')];
    const seqs = [...new Set(lineEvents.map((m) => m.json?.seq as number))].sort((a, b) => a - b);
    const first = seqs[0] as number;
    expect(seqs.length).toBeGreaterThan(15);
    expect(seqs).toEqual(seqs.map((_, i) => first + i));

    // The line's Pi loses power: agent and local broker die without a word.
    await local.kill9();
    await sub.waitFor(
      () => sub.on('acme/plant1/agents/line1-pi/bridge').at(-1)?.text === '0',
      'the bridge reported dead by the plant broker',
      60_000,
    );
  }, 120_000);
});
