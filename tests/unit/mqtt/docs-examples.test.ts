/**
 * The payload examples of docs/mqtt.md are what the agent publishes. Real payloads come from the
 * core (a station running through a shift: cycles, a stop that turns into downtime, OEE, a counter
 * jump) and the predictor (a cycle-drift alert); each example of the docs must have:
 * - every key of a real payload of its topic, in the same order, and no key the real one lacks
 *   unless its section names it as optional;
 * - values of the same kind (number, string, boolean, object), and ids and times written in the
 *   same format (digits aside: "press-000004713" and "press-000000003" are the same format).
 * A consumer who codes against the docs gets what the agent sends.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../../src/core/events.js';
import { eventPayloadObject } from '../../../src/outputs/mqtt/payloads.js';
import { config, Driver, MONDAY_UTC, oneStation, S } from '../core/helpers.js';
import { Feeder, stationConfig } from '../predict/helpers.js';

const DOCS = readFileSync(new URL('../../../docs/mqtt.md', import.meta.url), 'utf8');

/** The `### topic` sections of "## Payloads": their text and the JSON objects of their json blocks. */
function docSections(): Map<string, { text: string; examples: Record<string, unknown>[] }> {
  const payloads = DOCS.slice(DOCS.indexOf('## Payloads'), DOCS.indexOf('## Delivery guarantees'));
  const sections = new Map<string, { text: string; examples: Record<string, unknown>[] }>();
  for (const part of payloads.split('\n### ').slice(1)) {
    const topic = part.split(/[\s(]/)[0] as string;
    const examples: Record<string, unknown>[] = [];
    for (const block of part.matchAll(/```json\n([\s\S]*?)```/g)) examples.push(...jsonObjects(block[1] as string));
    sections.set(topic, { text: part, examples });
  }
  return sections;
}

/** The top-level JSON objects in a text, one after another. */
function jsonObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
    }
  }
  return out;
}

/** Keys whose strings have a format (ids, times); other strings are free text or enums. */
const FORMATTED = /^(id|eventId|ts|since|start|end|predictedFailureAt|at|due|eta)$/;

function shape(key: string, value: unknown): unknown {
  if (typeof value === 'string') return FORMATTED.test(key) ? value.replace(/[0-9]/g, '0') : 'string';
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return value === null ? 'null' : typeof value;
  // Each detector has its own evidence; reasons are the config's.
  if (key === 'evidence' || key === 'downByReason') return 'object';
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(k, v)]));
}

/** Events of one real station: cycles, a stop that becomes downtime, OEE of a shift, a counter jump, an alert. */
function realEvents(): CoreEvent[] {
  const d = new Driver(
    oneStation({
      shifts: `
shifts:
  timezone: UTC
  shifts:
    - { name: early, start: "06:00", end: "14:00", days: [mon] }`,
    }),
    { wallAtZero: MONDAY_UTC + 6 * 3_600_000 },
  );
  let count = 100;
  d.poll(0, { 'plc1.count': count, 'plc1.running': true, 'plc1.fault': 0, 'plc1.reject': 0 });
  for (let t = 10 * S; t <= 120 * S; t += 10 * S) d.poll(t, { 'plc1.count': ++count, 'plc1.running': true });
  d.poll(121 * S, { 'plc1.running': false, 'plc1.fault': 7 }); // a jam
  d.run(600 * S);
  d.poll(601 * S, { 'plc1.running': true, 'plc1.fault': 0 });
  for (let t = 611 * S; t <= 700 * S; t += 10 * S) d.poll(t, { 'plc1.count': ++count });
  d.poll(701 * S, { 'plc1.count': count + 50_000 }); // a jump: not counted
  d.run(4_000 * S);
  const f = new Feeder(stationConfig());
  f.setState('running');
  for (let i = 0; i < 3_600; i++) f.cycle(Math.round((10_000 + 400 * Feeder.noise(i)) * (i < 3_000 ? 1 : 1.1)));
  return [...d.events, ...f.alerts, ...productEvents(), ...orderEvents(), ...scrapEvents()];
}

/** A station whose PLC shows a product code, then an operator who sets another: a changeover. */
function productEvents(): CoreEvent[] {
  const d = new Driver(
    config(`
site: { enterprise: acme, site: plant }
devices:
  - { id: plc1, protocol: modbus-tcp, host: 127.0.0.1, tags: [{ name: count, address: 0 }, { name: product, address: 1 }] }
products:
  - { id: bracket-a, code: 1, idealCycleTime: 12s }
  - { id: bracket-b, code: 2, idealCycleTime: 15s, changeoverTarget: 20m }
lines:
  - id: line1
    productCode: plc1.product
    stations: [{ id: press, idealCycleTime: 12s, signals: { cycleCounter: plc1.count } }]
`),
    { wallAtZero: MONDAY_UTC + 6 * 3_600_000 },
  );
  d.poll(0, { 'plc1.count': 0, 'plc1.product': 1 })
    .poll(12 * S, { 'plc1.count': 1 })
    .tick(12 * S);
  d.core.setProduct({ line: 'line1' }, 'bracket-b', { user: 'anna', role: 'operator', via: 'login' });
  // No part of bracket-b for a while: a changeover, ended by the first part.
  d.run(120 * S, 5 * S)
    .poll(125 * S, { 'plc1.count': 2 })
    .tick(125 * S);
  return d.events;
}

/** An order started by an operator, completed by its third part. */
function orderEvents(): CoreEvent[] {
  const d = new Driver(
    config(`
site: { enterprise: acme, site: plant }
devices:
  - { id: plc1, protocol: modbus-tcp, host: 127.0.0.1, tags: [{ name: count, address: 0 }] }
products:
  - { id: bracket-b, idealCycleTime: 15s }
shifts:
  timezone: UTC
  shifts: [{ name: early, start: "06:00", end: "14:00" }]
lines:
  - id: line1
    stations: [{ id: press, idealCycleTime: 12s, signals: { cycleCounter: plc1.count } }]
`),
    { wallAtZero: MONDAY_UTC + 6 * 3_600_000 },
  );
  d.poll(0, { 'plc1.count': 0 }).tick(0);
  const by = { user: 'anna', role: 'operator', via: 'login' };
  d.core.startOrder('line1', { id: '4711', product: 'bracket-b', quantity: 3, due: MONDAY_UTC + 14 * 3_600_000 }, by);
  for (let i = 1; i <= 3; i++) d.poll(i * 15 * S, { 'plc1.count': i }).tick(i * 15 * S);
  return d.events;
}

/** A reject with a scrap reason in a start-up window, an operator's scrap entry, the shift's split. */
function scrapEvents(): CoreEvent[] {
  const d = new Driver(
    config(`
site: { enterprise: acme, site: plant }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags: [{ name: count, address: 0 }, { name: burr, address: 1 }, { name: product, address: 2 }]
scrapReasons: [{ id: burr, label: Burr }, { id: dimension, label: Out of tolerance }]
products: [{ id: a, code: 1, idealCycleTime: 12s }, { id: b, code: 2, idealCycleTime: 12s }]
shifts:
  timezone: UTC
  shifts: [{ name: early, start: "06:00", end: "14:00" }]
lines:
  - id: line1
    productCode: plc1.product
    changeovers: { startup: { goodParts: 5 } }
    stations:
      - id: press
        idealCycleTime: 12s
        signals: { cycleCounter: plc1.count }
        scrapCounts: { burr: plc1.burr }
`),
    { wallAtZero: MONDAY_UTC + 6 * 3_600_000 },
  );
  d.poll(0, { 'plc1.count': 0, 'plc1.burr': 0, 'plc1.product': 1 }).tick(0);
  d.poll(12 * S, { 'plc1.count': 1 }).tick(12 * S);
  d.poll(13 * S, { 'plc1.product': 2 }).run(120 * S, 5 * S);
  d.poll(132 * S, { 'plc1.count': 2, 'plc1.burr': 1 }).tick(132 * S);
  for (let i = 3; i <= 6; i++) d.poll((120 + i * 12) * S, { 'plc1.count': i }).tick((120 + i * 12) * S);
  d.core.recordScrap('press', 'dimension', 2, { user: 'anna', role: 'operator', via: 'login' });
  d.run(10 * 3_600_000, 60 * S);
  return d.events;
}

/** Which real payloads an example is compared with: the same topic, and its phase, kind or status. */
function variantOf(topic: string, payload: Record<string, unknown>): string {
  const field = {
    downtime: 'phase',
    counter: 'kind',
    alert: 'status',
    product: 'source',
    changeover: 'phase',
    order: 'phase',
  }[topic];
  return field === undefined ? '' : String(payload[field]);
}

describe('docs/mqtt.md payload examples', () => {
  const sections = docSections();
  const real = new Map<string, Record<string, unknown>[]>();
  for (const event of realEvents()) {
    const list = real.get(event.type) ?? [];
    list.push(eventPayloadObject(event) as Record<string, unknown>);
    real.set(event.type, list);
  }

  it('documents every event topic with at least one example', () => {
    for (const topic of real.keys()) expect(sections.get(topic)?.examples.length ?? 0, topic).toBeGreaterThan(0);
  });

  for (const topic of [
    'state',
    'cycle',
    'downtime',
    'oee',
    'alert',
    'counter',
    'product',
    'changeover',
    'order',
    'scrap',
    'ledger',
  ]) {
    it(`${topic}: each example is shaped like a real payload`, () => {
      const section = sections.get(topic);
      const candidates = real.get(topic) ?? [];
      expect(candidates.length, `real ${topic} payloads`).toBeGreaterThan(0);
      for (const example of section?.examples ?? []) {
        const variant = variantOf(topic, example);
        const same = candidates.filter((p) => variantOf(topic, p) === variant);
        expect(same.length, `a real ${topic} payload of "${variant}"`).toBeGreaterThan(0);
        // The real payload with the most of the example's keys (optional keys come and go).
        const payload = same
          .map((p) => ({ p, hits: Object.keys(example).filter((k) => k in p).length }))
          .sort((a, b) => b.hits - a.hits)[0]?.p as Record<string, unknown>;
        const optional = (k: string) => section?.text.includes(`\`${k}\``) === true;
        const exampleKeys = Object.keys(example);
        const realKeys = Object.keys(payload);
        expect(
          exampleKeys.filter((k) => !(k in payload) && !optional(k)),
          'keys of the example the agent does not send',
        ).toEqual([]);
        expect(
          realKeys.filter((k) => !(k in example) && !optional(k)),
          'keys the agent sends that the example lacks',
        ).toEqual([]);
        const common = exampleKeys.filter((k) => k in payload);
        expect(common, 'key order').toEqual(realKeys.filter((k) => k in example));
        // An alert's id names its kind: compare the rest of it.
        const kindFree = (p: Record<string, unknown>, k: string): unknown =>
          k === 'id' && topic === 'alert' ? String(p[k]).replace(String(p['kind']), '<kind>') : p[k];
        for (const k of common)
          expect(shape(k, kindFree(example, k)), `${topic}.${k}`).toEqual(shape(k, kindFree(payload, k)));
      }
    });
  }
});
