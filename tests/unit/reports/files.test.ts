import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  basicIso,
  listReports,
  parseReportId,
  pruneReports,
  reportId,
  writeReportFiles,
} from '../../../src/reports/files.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { ReportService } from '../../../src/reports/service.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import { testConfig } from '../../integration/server/support/harness.js';

const T0 = Date.UTC(2025, 10, 24, 5, 0, 0);
const DAY = 24 * 3_600_000;
const FILES = {
  'report.html': '<html></html>',
  'report.pdf': Buffer.from('%PDF-1.3'),
  'downtime.csv': 'id\r\n',
  'cycles.csv': 'station\r\n',
  'oee.csv': 'station\r\n',
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'report-files-'));
  dirs.push(d);
  return d;
}

describe('report ids and folders', () => {
  it('round-trip an id, and accept nothing else', () => {
    const key = { line: 'line1', start: T0, kind: 'shift', label: 'early' } as const;
    expect(basicIso(T0)).toBe('20251124T050000Z');
    expect(reportId(key)).toBe('line1.20251124T050000Z-early');
    expect(parseReportId('line1.20251124T050000Z-early')).toEqual(key);
    // A day and a week have their own folders: "+" is never in a shift name, so a shift called
    // "day" does not collide with a day report that starts at the same time.
    const day = { line: 'line1', start: T0, kind: 'day', label: 'day' } as const;
    expect(reportId(day)).toBe('line1.20251124T050000Z+day');
    expect(parseReportId('line1.20251124T050000Z+day')).toEqual(day);
    expect(parseReportId('line1.20251124T050000Z+week')).toEqual({ ...day, kind: 'week', label: 'week' });
    expect(reportId({ ...key, label: 'day' })).not.toBe(reportId(day));
    for (const bad of [
      '..',
      '../line1.20251124T050000Z-early',
      'line1.20251124T050000Z-early/..',
      'line1/20251124T050000Z-early',
      'line1.2025-11-24T05:00:00Z-early',
      'line1.20251124T050000Z-',
      'line1.20251124T050000Z-early\0',
      'line1.20251124T050000Z+month',
      'line1.20251124T050000Z+day/..',
    ])
      expect(parseReportId(bad), bad).toBeUndefined();
  });

  it('are written whole (no temp files left), listed with sizes, and pruned past the retention', async () => {
    const root = tempDir();
    await writeReportFiles(root, { line: 'line1', start: T0, kind: 'shift', label: 'early' }, FILES);
    await writeReportFiles(root, { line: 'line1', start: T0 - 100 * DAY, kind: 'shift', label: 'late' }, FILES);
    writeFileSync(path.join(root, 'line1', 'stray.txt'), 'not a report');
    expect(readdirSync(path.join(root, 'line1', '20251124T050000Z-early')).sort()).toEqual(Object.keys(FILES).sort());
    const list = await listReports(root);
    expect(list.map((r) => r.id)).toEqual(['line1.20251124T050000Z-early', 'line1.20250816T050000Z-late']);
    expect(list[0]?.files.find((f) => f.name === 'report.pdf')?.bytes).toBe(8);
    expect(await pruneReports(root, T0 - 90 * DAY)).toBe(1);
    expect((await listReports(root)).map((r) => r.shift)).toEqual(['early']);
  });
});

describe('the report service', () => {
  it('logs a failure with its code, shows it in health, and never throws into the event path', async () => {
    const dir = tempDir();
    // The reports folder is a file: every write fails.
    const root = path.join(dir, 'reports');
    writeFileSync(root, 'in the way');
    const config = testConfig();
    const record = {
      windowEnd: T0 + 8 * 3_600_000,
      ts: T0 + 8 * 3_600_000,
      figures: {
        availability: 1,
        performance: 1,
        quality: 1,
        oee: 1,
        counts: { total: 1, good: 1, reject: 0 },
        runTimeMs: 1,
        plannedTimeMs: 1,
        downtimeMs: 0,
        smallStopMs: 0,
        commsLostMs: 0,
        starvedMs: 0,
        blockedMs: 0,
        plannedStopMs: 0,
        idealMs: 1,
        downtimeByReason: {},
      },
    };
    const clock = { wallMs: () => T0 + 9 * 3_600_000, monoMs: () => 0 };
    const history = openHistoryStore({ dir, retentionMs: 30 * DAY, clock, logger: silentLogger });
    const event = {
      type: 'oee' as const,
      id: 'x',
      line: 'line1',
      seq: 1,
      ts: record.ts,
      window: { kind: 'shift' as const, shift: 'early', start: T0, end: record.windowEnd },
      final: true,
      figures: record.figures,
    };
    history.record(event);
    const logged: unknown[] = [];
    const logger = { ...silentLogger, error: (obj: unknown) => logged.push(obj) } as unknown as typeof silentLogger;
    const service = new ReportService({ config, history, clock, logger, root, settleMs: 0 });
    expect(() => service.onEvent(event)).not.toThrow();
    await expect.poll(() => service.health().failures).toBe(1);
    expect(service.health()).toMatchObject({ failing: true, lastError: expect.stringMatching(/^REPORT_IO /) });
    expect(logged).toEqual([expect.objectContaining({ err: expect.objectContaining({ code: 'REPORT_IO' }) })]);
    await expect(service.generate({ line: 'line1' })).rejects.toMatchObject({ code: 'REPORT_IO' });
    await service.close();
    history.close();
  });
});
