/**
 * Poison isolation: a batch with bad points writes every good point and hands exactly the bad
 * ones over, in a bounded number of requests; other failures leave the batch for a retry that
 * does not resend what already landed. The send port below answers like InfluxDB 1.x does
 * (400 "partial write ... dropped=N" with the good points stored); the real thing is exercised in
 * tests/integration/influx/write.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  writeBatch,
  WriteFailedError,
  type BatchEntry,
  type SendLines,
} from '../../../src/outputs/influx/batch-writer.js';

interface Point {
  readonly line: string;
  readonly spoolId: number;
}
const point = (i: number, bad = false): Point => ({
  line: `sample,tag=${bad ? 'bad' : 'ok'} value=${i} ${1_700_000_000_000_000 + i}`,
  spoolId: i,
});
const entries = (points: Point[]): BatchEntry[] => points.map((p) => ({ ...p, state: 'pending' }));

/** Stores good points; answers 400 with dropped=N when any point is bad. */
function fakeInflux(opts: { failFirst?: number } = {}) {
  const stored = new Map<string, number>();
  let requests = 0;
  let failures = opts.failFirst ?? 0;
  const send: SendLines = async (lines) => {
    requests++;
    if (failures > 0) {
      failures--;
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    }
    const bad = lines.filter((l) => l.includes('tag=bad'));
    for (const l of lines) if (!l.includes('tag=bad')) stored.set(l, (stored.get(l) ?? 0) + 1);
    if (bad.length > 0) {
      throw Object.assign(
        new Error(
          `A 400 Bad Request error occurred: {"error":"partial write: field type conflict: input field \\"value\\" on measurement \\"sample\\" is type float, already exists as type string dropped=${bad.length}"}`,
        ),
        { res: { statusCode: 400 } },
      );
    }
  };
  return { send, stored, requests: () => requests };
}

describe('writeBatch', () => {
  it('writes a clean batch in one request', async () => {
    const influx = fakeInflux();
    const batch = entries(Array.from({ length: 5000 }, (_, i) => point(i)));
    await writeBatch(batch, influx.send, () => expect.unreachable());
    expect(influx.requests()).toBe(1);
    expect(batch.every((e) => e.state === 'written')).toBe(true);
  });

  it('isolates one bad point in a batch of 5,000: every good point stored, the bad one reported', async () => {
    const influx = fakeInflux();
    const points = Array.from({ length: 5000 }, (_, i) => point(i, i === 2_345));
    const poisoned: BatchEntry[] = [];
    await writeBatch(entries(points), influx.send, (p) => poisoned.push(...p));
    expect(poisoned.map((p) => p.spoolId)).toEqual([2_345]);
    expect(influx.stored.size).toBe(4_999);
    expect(influx.requests()).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(5000)) + 1);
  });

  it('does not split a batch whose points are all bad (dropped = size)', async () => {
    const influx = fakeInflux();
    const poisoned: BatchEntry[] = [];
    await writeBatch(entries(Array.from({ length: 1000 }, (_, i) => point(i, true))), influx.send, (p) =>
      poisoned.push(...p),
    );
    expect(poisoned).toHaveLength(1000);
    expect(influx.requests()).toBe(1);
  });

  it('rejects on a network error and resends only what has not landed', async () => {
    const influx = fakeInflux({ failFirst: 1 });
    const batch = entries(Array.from({ length: 10 }, (_, i) => point(i)));
    await expect(writeBatch(batch, influx.send, () => undefined)).rejects.toBeInstanceOf(WriteFailedError);
    expect(batch.every((e) => e.state === 'pending')).toBe(true);
    await writeBatch(batch, influx.send, () => undefined);
    expect([...influx.stored.values()].every((n) => n === 1)).toBe(true);
    expect(influx.stored.size).toBe(10);
  });
});
