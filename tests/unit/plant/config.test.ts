import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/issues.js';
import { configFileKind, loadPlantConfigText } from '../../../src/config/plant-load.js';
import { plantClientId, plantTopicRoot } from '../../../src/config/plant-schema.js';
import { runCheckConfig } from '../../../src/cli/check-config.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-plant-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MINIMAL = `kind: plant
enterprise: acme
sites: [plant1]
mqtt: { url: "mqtt://127.0.0.1:1883" }
`;

function load(text: string, env: Record<string, string> = {}) {
  return loadPlantConfigText(text, { env, baseDir: tmp });
}

function problems(text: string): string[] {
  const r = load(text);
  if (r.ok) throw new Error('expected problems');
  return r.issues.map(formatIssue);
}

describe('plant.yaml', () => {
  it('applies the documented defaults', () => {
    const r = load(MINIMAL);
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    const c = r.config;
    expect(c.server).toEqual({ host: '0.0.0.0', port: 8080, allowedOrigins: [] });
    expect(c.history.days).toBe(14);
    expect(c.plant.timezone).toBe('UTC');
    expect(c.storage.dir).toBe('./data-plant');
    expect(c.mqtt).toMatchObject({ protocolVersion: 5, reconnectMin: 1000, reconnectMax: 30_000 });
    expect(plantTopicRoot(c)).toBe('acme');
    expect(plantClientId(c)).toBe('lineside-plant-plant1');
    expect(Object.isFrozen(c.mqtt)).toBe(true);
  });

  it('the sample config/plant.yaml is valid', () => {
    const text = readFileSync(join(import.meta.dirname, '../../../config/plant.yaml'), 'utf8');
    const r = load(text);
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    expect(r.config.lines).toHaveLength(2);
  });

  it('takes "+" for every site and topicRoot instead of enterprise', () => {
    const r = load('sites: "+"\nmqtt: { url: "mqtts://b:8883", topicRoot: uns }\n');
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    expect(r.config.sites).toBe('+');
    expect(plantTopicRoot(r.config)).toBe('uns');
  });

  it('names the path of every bad field, with line:column', () => {
    const text = `kind: plant
sites: [plant1, "bad/site"]
mqtt: { url: "http://x", pasword: x }
server: { port: 70000 }
history: { days: 0 }
lines:
  - { site: plant1, line: line1, url: "ftp://x" }
`;
    const found = problems(text);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sites\[1\] \(2:\d+\): use letters/),
        expect.stringMatching(/^mqtt\.url \(3:\d+\): expected a broker URL/),
        expect.stringMatching(/^mqtt\.pasword \(3:\d+\): unknown key "pasword"; did you mean "password"\?/),
        expect.stringMatching(/^server\.port \(4:\d+\): must be <= 65535/),
        expect.stringMatching(/^history\.days \(5:\d+\): must be >= 1/),
        expect.stringMatching(/^lines\[0\]\.url \(7:\d+\): expected an http/),
      ]),
    );
  });

  it('refuses an unknown time zone', () => {
    expect(problems(`${MINIMAL}plant: { timezone: Mars/Olympus }\n`)).toEqual([
      expect.stringMatching(/^plant\.timezone \(5:\d+\): unknown IANA time zone/),
    ]);
  });

  it('needs enterprise or mqtt.topicRoot, and a broker URL', () => {
    expect(problems('kind: plant\nsites: [p]\nmqtt: { url: "mqtt://b" }\n')).toEqual([
      expect.stringMatching(/^enterprise.*required \(the agents' site\.enterprise\) unless mqtt\.topicRoot is set/),
    ]);
    expect(problems('kind: plant\nenterprise: acme\nsites: [p]\n')).toEqual([expect.stringMatching(/^mqtt.*required/)]);
  });

  it('refuses a line listed twice and reconnectMax below reconnectMin', () => {
    const found =
      problems(`${MINIMAL.replace('mqtt: { url: "mqtt://127.0.0.1:1883" }', 'mqtt: { url: "mqtt://b", reconnectMin: 5s, reconnectMax: 1s }')}lines:
  - { site: plant1, line: l1, url: "http://a/" }
  - { site: plant1, line: l1, url: "http://b/" }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mqtt\.reconnectMax.*at least mqtt\.reconnectMin/),
        expect.stringMatching(/^lines\[1\].*listed twice/),
      ]),
    );
  });

  it('substitutes the password from the environment and reads passwordFile', () => {
    const r = load(
      `${MINIMAL.replace('mqtt: { url: "mqtt://127.0.0.1:1883" }', 'mqtt: { url: "mqtt://b", password: "${PW}" }')}`,
      {
        PW: 's3cret',
      },
    );
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    expect(r.config.mqtt.password).toBe('s3cret');
    writeFileSync(join(tmp, 'pw'), 'fromfile\n');
    const f = load(
      MINIMAL.replace('mqtt: { url: "mqtt://127.0.0.1:1883" }', 'mqtt: { url: "mqtt://b", passwordFile: pw }'),
    );
    if (!f.ok) throw new Error(f.issues.map(formatIssue).join('\n'));
    expect(f.config.mqtt.password).toBe('fromfile');
  });
});

describe('check-config tells a plant file from an agent config', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } },
    };
  };

  it('by kind: plant or a top-level sites: key', () => {
    const a = join(tmp, 'a.yaml');
    writeFileSync(a, MINIMAL);
    const b = join(tmp, 'b.yaml');
    writeFileSync(b, MINIMAL.replace('kind: plant\n', ''));
    expect(configFileKind(a)).toBe('plant');
    expect(configFileKind(b)).toBe('plant');
    expect(configFileKind(join(import.meta.dirname, '../../../config/example.yaml'))).toBe('agent');
    const { out, io: cli } = io();
    expect(runCheckConfig([a], cli)).toBe(0);
    expect(out.stdout).toMatch(/ok \(plant server: 1 site/);
  });

  it('exits 2 naming the bad field of a plant file', () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, `${MINIMAL}history: { days: "x" }\n`);
    const { out, io: cli } = io();
    expect(runCheckConfig([bad], cli)).toBe(2);
    expect(out.stderr).toMatch(/history\.days \(5:\d+\): expected number/);
  });
});
