import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { tahu } from '../../unit/sparkplug/tahu.js';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, runCli, spawnCli, waitForOutput } from '../../helpers/cli.js';
import { freePort } from '../../helpers/ports.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lineside CLI contract (exit codes 0 ok, 2 bad input, 1 runtime)', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--help lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'demo', 'check-config', 'simulate', 'probe', 'schema']) expect(r.stdout).toContain(cmd);
  });

  it('an unknown command is bad input', async () => {
    const r = await runCli(['strat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "strat"');
  });

  it('check-config exits 0 on the example and 2 on a broken file, naming the path', async () => {
    expect((await runCli(['check-config', 'config/example.yaml'])).code).toBe(0);
    const bad = await runCli(['check-config', 'tests/configs/broken/01-tag-typo.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('lines[0].stations[0].signals.cycleCounter (18:25)');
  });

  it('start refuses a bad config before starting anything', async () => {
    const r = await runCli(['start', '-c', 'tests/configs/broken/04-duplicate-device.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing started');
    expect(r.stderr).toContain('devices[1].id');
  });

  it('ends quietly when the reader of its output goes away (lineside schema | head)', async () => {
    const child = spawnCli(['schema']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // A reader that is gone before the output comes (the schema fits one 64 KiB pipe buffer,
    // so closing after the first chunk would be too late to hit EPIPE).
    child.stdout?.destroy();
    expect(await exitOf(child)).toBe(0);
    expect(stderr).toBe('');
  });

  it('schema prints a JSON Schema', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('properties.lines');
  });
});

describe('lineside check-config on hostile files: exit 2, the file named, never a stack', () => {
  const noStack = (stderr: string) => {
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toMatch(/(Reference|Range|Type)Error/);
  };

  it('an alias bomb ("billion laughs") is a problem of the file, not a crash', async () => {
    const file = 'tests/configs/broken/38-alias-bomb.yaml';
    const r = await runCli(['check-config', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}: 1 problem`);
    expect(r.stderr).toContain('(root): YAML error: too many aliases');
    noStack(r.stderr);
  });

  it('a 50 MB file is refused before it is read: in a 64 MB heap, within seconds', async () => {
    const file = join(tmp, 'huge.yaml');
    writeFileSync(
      file,
      Buffer.alloc(
        50 * 1024 * 1024,
        'devices:\n  - { id: plc1, protocol: modbus-tcp, host: 10.0.0.5, tags: [{ name: a, address: 0 }] }\n',
      ),
    );
    const started = Date.now();
    // Parsing it took ~625 MB: with the heap capped at 64 MB, reading it would be a crash (exit 134), not exit 2.
    const r = await runCli(['check-config', file], { env: { NODE_OPTIONS: '--max-old-space-size=64' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: 1 problem`);
    expect(r.stderr).toContain('the file is 50.0 MB; a config over 1 MB is refused before parsing');
    noStack(r.stderr);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a file with four mistakes, two for the schema and two for the cross-field checks, reports all four in file order', async () => {
    const file = 'tests/configs/broken/41-four-mistakes.yaml';
    const r = await runCli(['check-config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${file}: 4 problems`,
      '  devices[0].port (10:11): must be <= 65535; got 70000',
      '  devices[0].tags[2].address (14:33): float32 at holding 1..2 overlaps tag "partCount" (tags[0], uint32 at holding 0..1); a multi-register value must not share registers with another tag',
      '  lines[0].stations[0].idealCycleTime (19:25): must be at least 10ms; got 0s',
      '  lines[0].stations[0].signals.running (22:20): no tag "plc1.runing"; did you mean "plc1.running"?',
    ]);
  });
});

describe('lineside demo', () => {
  it('runs simulator, agent and embedded broker, publishes the line, and stops cleanly on Ctrl-C', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const child = spawnCli(
      ['demo', '--speed', '60', '--http-port', String(httpPort), '--mqtt-port', String(mqttPort)],
      {
        env: { LINESIDE_DEMO_DATA: join(tmp, 'demo') },
      },
    );
    try {
      const banner = await waitForOutput(child, /Lineside demo is running/, 60_000);
      expect(banner).toContain(`mqtt://127.0.0.1:${mqttPort}`);
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const seen = new Map<string, string>();
      client.on('message', (topic, payload) => seen.set(topic, payload.toString()));
      await client.subscribeAsync('lineside/#');
      const deadline = Date.now() + 30_000;
      const timed = (s: string) =>
        ((JSON.parse(seen.get(`lineside/sim/line1/${s}/cycle`) ?? '{}') as { cycleTimeMs?: number }).cycleTimeMs ?? 0) >
        0;
      while (Date.now() < deadline && !['press', 'weld', 'pack'].every(timed)) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(seen.get('lineside/sim/agents/demo/status')).toBe('online');
      for (const station of ['press', 'weld', 'pack']) {
        expect(
          seen.has(`lineside/sim/line1/${station}/state`),
          `${station} state; seen ${[...seen.keys()].join(' ')}`,
        ).toBe(true);
        const cycle = JSON.parse(seen.get(`lineside/sim/line1/${station}/cycle`) ?? '{}') as { cycleTimeMs?: number };
        expect(cycle.cycleTimeMs, `${station} cycle`).toBeGreaterThan(0);
      }
      await client.endAsync();
    } finally {
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);
  }, 120_000);

  it('--sparkplug adds the Sparkplug B edge node: births, data from the running line, NDEATH on Ctrl-C', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const child = spawnCli(
      ['demo', '--sparkplug', '--speed', '60', '--http-port', String(httpPort), '--mqtt-port', String(mqttPort)],
      { env: { LINESIDE_DEMO_DATA: join(tmp, 'demo-spb') } },
    );
    const seen: Array<{ topic: string; payload: Buffer }> = [];
    let client: mqtt.MqttClient | undefined;
    try {
      const banner = await waitForOutput(child, /Lineside demo is running/, 60_000);
      expect(banner).toContain('spBv1.0/sim/+/demo/#');
      client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 4, reconnectPeriod: 0 });
      client.on('message', (topic, payload) => seen.push({ topic, payload }));
      await client.subscribeAsync('spBv1.0/#');
      // Ask for births, as a SCADA host does when it comes up after the node.
      await client.publishAsync(
        'spBv1.0/sim/NCMD/demo',
        Buffer.from(tahu.encodePayload({ metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] })),
      );
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !seen.some((m) => m.topic.startsWith('spBv1.0/sim/DDATA/demo/'))) {
        await new Promise((r) => setTimeout(r, 200));
      }
      const topics = seen.map((m) => m.topic);
      expect(topics).toContain('spBv1.0/sim/NBIRTH/demo');
      for (const station of ['press', 'weld', 'pack']) expect(topics).toContain(`spBv1.0/sim/DBIRTH/demo/${station}`);
      expect(topics.some((t) => t.startsWith('spBv1.0/sim/DDATA/demo/'))).toBe(true);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    const death = seen.find((m) => m.topic === 'spBv1.0/sim/NDEATH/demo');
    expect(death, `NDEATH; seen ${seen.map((m) => m.topic).join(' ')}`).toBeDefined();
    await client?.endAsync();
  }, 120_000);
});
