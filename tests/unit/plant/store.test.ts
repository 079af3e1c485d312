import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/lib/logger.js';
import { Ledger, parseJson } from '../../../src/plant/messages.js';
import { DAY_MS, LedgerStore } from '../../../src/plant/store.js';
import { HOUR, ledgerMessage, type LedgerSpec } from '../../helpers/plant-ledgers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-plant-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY1 = { start: '2026-03-02T06:00:00.000Z', end: '2026-03-02T14:00:00.000Z', ts: '2026-03-02T10:00:00.000Z' };
const DAY2 = { start: '2026-03-03T06:00:00.000Z', end: '2026-03-03T14:00:00.000Z', ts: '2026-03-03T07:00:00.000Z' };

function ledger(spec: Partial<LedgerSpec> & Pick<LedgerSpec, 'seq'>) {
  const text = JSON.stringify(
    ledgerMessage({
      line: 'line1',
      ...DAY1,
      stations: [{ station: 'pack', plannedMs: HOUR, runMs: HOUR / 2, idealMs: HOUR / 2, total: 10, good: 9 }],
      ...spec,
    }),
  );
  const parsed = parseJson(Ledger, text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { ledger: parsed.value, text };
}

describe('ledger history (SQLite)', () => {
  it('keeps the highest seq per shift, the final flag, and survives a reopen', () => {
    const dir = join(tmp, 'a');
    let store = LedgerStore.open(dir, silentLogger, Date.now());
    const put = (spec: Partial<LedgerSpec> & Pick<LedgerSpec, 'seq'>) => {
      const { ledger: l, text } = ledger(spec);
      return store.upsert('p1', spec.line ?? 'line1', l, text, 0);
    };
    expect(put({ seq: 5 })).toBe(true);
    expect(put({ seq: 7, final: true })).toBe(true);
    expect(put({ seq: 6 })).toBe(false); // older: never overwrites
    expect(put({ seq: 7 })).toBe(false); // repeat
    expect(put({ seq: 9, ...DAY2 })).toBe(true);
    expect(put({ seq: 3, line: 'line2' })).toBe(true);
    store.close();

    store = LedgerStore.open(dir, silentLogger, Date.now());
    const current = store.currentPerLine().map((r) => [r.line, r.ledger.seq, r.ledger.start]);
    expect(current.sort()).toEqual([
      ['line1', 9, Date.parse(DAY2.start)],
      ['line2', 3, Date.parse(DAY1.start)],
    ]);
    const day1 = store.shifts(Date.parse('2026-03-02T00:00:00Z'), Date.parse('2026-03-03T00:00:00Z'));
    expect(day1.map((r) => [r.line, r.ledger.seq, r.ledger.final])).toEqual([
      ['line1', 7, true],
      ['line2', 3, false],
    ]);
    expect(store.shifts(0, Number.MAX_SAFE_INTEGER)).toHaveLength(3);
    expect(store.health()).toMatchObject({ writable: true, errors: 0 });

    // Retention: shifts that ended more than `days` ago go.
    expect(store.prune(Date.parse(DAY2.end) + DAY_MS - 1, 1)).toBe(2);
    expect(store.shifts(0, Number.MAX_SAFE_INTEGER).map((r) => r.ledger.seq)).toEqual([9]);
    store.close();
  });

  it("keeps each agent's last status and since when, across a reopen", () => {
    const dir = join(tmp, 'b');
    let store = LedgerStore.open(dir, silentLogger, Date.now());
    store.putStatus('p1', 'pi-1', 'online', 1_000);
    store.putStatus('p1', 'pi-1', 'offline', 2_000);
    store.putStatus('p1', 'pi-2', 'online', 3_000);
    store.putStatus('p1', 'pi-2', null, 4_000);
    store.close();
    store = LedgerStore.open(dir, silentLogger, Date.now());
    expect(store.statuses()).toEqual([{ site: 'p1', agentId: 'pi-1', status: 'offline', sinceMs: 2_000 }]);
    store.close();
  });
});
