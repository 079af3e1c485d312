/**
 * The reports' test rig: the real core, the real history (SQLite in a temp dir), the real report
 * service and the real Fastify routes on a manual clock at Monday 12:00 UTC (13:00 in Berlin: the
 * early shift has an hour to go), wired as the agent's tee does (the history first, then the
 * reports), and the simulated PLC that feeds it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCore } from '../../../src/core/core.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { openHistoryStore } from '../../../src/outputs/history/store.js';
import type { EmailDelivery } from '../../../src/reports/email/delivery.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import type { OeeFigures } from '../../../src/core/events.js';
import type { WebhookDelivery } from '../../../src/reports/webhook/delivery.js';
import { ReportService } from '../../../src/reports/service.js';
import { commandsPortOf, livePortOf } from '../../../src/server/adapt-core.js';
import { buildApp } from '../../../src/server/app.js';
import { CountingPlc } from '../server/support/counting-plc.js';
import { FakeHealth, ManualClock, OPERATOR_TOKEN, testConfig } from '../server/support/harness.js';

export interface RigOptions {
  readonly viewToken?: string;
  /** The clock's start (wall ms); default Monday 24 November 2025 12:00 UTC. */
  readonly startAt?: number;
  /** Report settings over the test config's (daily, weekly, ...). */
  readonly reports?: Partial<LinesideConfig['reports']>;
  /** The email delivery to hand the report service, made for the rig's reports root and clock. */
  readonly email?: (root: string, clock: ManualClock) => EmailDelivery;
  /** The webhook delivery likewise. */
  readonly webhook?: (root: string, clock: ManualClock) => WebhookDelivery;
}

export async function startReportRig(cleanups: Array<() => Promise<void> | void>, opts: RigOptions = {}) {
  const clock = new ManualClock(opts.startAt ?? Date.UTC(2025, 10, 24, 12, 0, 0));
  const dir = mkdtempSync(path.join(tmpdir(), 'lineside-reports-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const base = testConfig({
    operatorToken: OPERATOR_TOKEN,
    storageDir: dir,
    ...(opts.viewToken !== undefined ? { viewToken: opts.viewToken } : {}),
  });
  const config = { ...base, reports: { ...base.reports, ...opts.reports } };
  const history = openHistoryStore({
    dir,
    retentionMs: config.storage.historyRetention,
    shiftRetentionMs: config.storage.shiftHistoryRetention,
    clock,
    logger: silentLogger,
  });
  cleanups.push(() => history.close());
  const root = path.join(dir, 'reports');
  const email = opts.email?.(root, clock);
  const webhook = opts.webhook?.(root, clock);
  const reports = new ReportService({
    config,
    history,
    clock,
    logger: silentLogger,
    root,
    settleMs: 0,
    deliveries: [email, webhook].filter((d) => d !== undefined),
  });
  cleanups.push(() => reports.close());
  const core = createCore(config, { clock });
  cleanups.push(
    core.on((e) => {
      history.record(e);
      reports.onEvent(e);
    }),
  );
  const app = await buildApp({
    config,
    logger: silentLogger,
    clock,
    live: livePortOf(core),
    commands: commandsPortOf(core),
    history,
    reports,
    health: new FakeHealth(),
  });
  await app.ready();
  cleanups.push(() => app.close());
  return { clock, core, app, reports, root, dir, email, webhook, history, config, line: new CountingPlc(core, clock) };
}

/** oee.csv's and shifts.csv's figure columns as the report writes them, from the API's figures. */
export function csvFigures(f: OeeFigures): string {
  return [
    f.availability,
    f.performance,
    f.quality,
    f.oee,
    f.counts.total,
    f.counts.good,
    f.counts.reject,
    Math.round(f.runTimeMs / 1000),
    Math.round(f.plannedTimeMs / 1000),
    Math.round(f.downtimeMs / 1000),
    Math.round(f.smallStopMs / 1000),
    Math.round(f.starvedMs / 1000),
    Math.round(f.blockedMs / 1000),
    f.target ?? '',
  ].join(',');
}
