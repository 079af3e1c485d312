import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OeeEvent } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import { collectPeriod } from '../../../src/reports/collect.js';
import { sumFigures } from '../../../src/outputs/history/period.js';
import { buildReport } from '../../../src/reports/model.js';
import { ReportService } from '../../../src/reports/service.js';
import { testConfig } from '../../integration/server/support/harness.js';
import { END, figures, HOUR, T0 } from './fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The line's final OEE of the 06:00-14:00 UTC shift T0 (a real history in a temp dir holds it). */
function finalOee(start = T0): OeeEvent {
  return {
    type: 'oee',
    id: `line1-oee-${start}`,
    line: 'line1',
    seq: 1,
    ts: start + 8 * HOUR,
    window: { kind: 'shift', shift: 'early', start, end: start + 8 * HOUR },
    final: true,
    figures: figures(),
  };
}

function setup(settleMs: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'report-service-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const clock = { wallMs: () => END + HOUR, monoMs: () => 0 };
  const history = openHistoryStore({ dir, retentionMs: 30 * 24 * HOUR, clock, logger: silentLogger });
  cleanups.push(() => history.close());
  const root = path.join(dir, 'reports');
  const service = new ReportService({ config: testConfig(), history, clock, logger: silentLogger, root, settleMs });
  cleanups.push(() => service.close());
  const folder = path.join(root, 'line1', '20261204T060000Z-early');
  return { history, service, folder };
}

describe('the report service', () => {
  it('makes a report still waiting for its settle time when it is closed (a stop right after a shift end)', async () => {
    const { history, service, folder } = setup(60_000);
    const e = finalOee();
    history.record(e);
    service.onEvent(e);
    expect(service.health().pending).toBe(1);
    await service.close();
    expect(existsSync(path.join(folder, 'report.pdf'))).toBe(true);
    expect(service.health()).toMatchObject({ generated: 1, pending: 0 });
    // Closed: later events queue nothing.
    service.onEvent(finalOee(T0 + 8 * HOUR));
    expect(service.health().pending).toBe(0);
  });

  it('catches up at start-up on the latest ended shift without a report, once', async () => {
    const { history, service, folder } = setup(0);
    history.record(finalOee());
    await service.catchUp();
    expect(existsSync(path.join(folder, 'report.html'))).toBe(true);
    await service.catchUp();
    expect(service.health().generated).toBe(1);
  });

  it('ignores station figures, live figures and rolling windows', () => {
    const { service } = setup(60_000);
    const e = finalOee();
    service.onEvent({ ...e, station: 'press' });
    service.onEvent({ ...e, final: false });
    service.onEvent({ ...e, window: { kind: 'rolling', start: T0, end: END } });
    expect(service.health().pending).toBe(0);
  });
});

describe('a day report', () => {
  it('sums the shifts that started in the day, from the real history', async () => {
    const { history } = setup(60_000);
    const early = finalOee();
    const late: OeeEvent = {
      ...finalOee(T0 + 8 * HOUR),
      window: { kind: 'shift', shift: 'late', start: T0 + 8 * HOUR, end: T0 + 16 * HOUR },
      figures: figures({ runTimeMs: 2 * HOUR, plannedTimeMs: 8 * HOUR, idealMs: 2 * HOUR, target: 900 }),
    };
    history.record(early);
    history.record(late);
    const config = testConfig();
    const day = buildReport(
      collectPeriod(history, config, 'line1', { kind: 'day', start: T0 - 6 * HOUR, end: T0 + 18 * HOUR }, END),
    );
    expect(day.figures).toEqual(
      sumFigures(history.oeeShifts('line1', T0 - 6 * HOUR, T0 + 18 * HOUR).map((r) => r.figures)),
    );
    expect(day.figures.availability).toBe((6 + 2) / (7.5 + 8));
    expect(day.figures.target).toBe(1100 + 900);
    expect(day.trend.map((t) => t.shift)).toEqual(['early', 'late']);
  });
});
