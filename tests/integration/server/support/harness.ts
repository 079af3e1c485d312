/**
 * Builds the dashboard app against a FakeLine, a real HistoryStore on a temp SQLite file and a
 * mutable health port — the pieces the agent wires for real. Reused by the integration tests,
 * the e2e tests and the benchmarks; everything it creates is removed by `close()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfigText } from '../../../../src/config/load.js';
import type { LinesideConfig } from '../../../../src/config/schema.js';
import type { Clock } from '../../../../src/core/sample.js';
import { systemClock } from '../../../../src/lib/clock.js';
import { silentLogger, type Logger } from '../../../../src/lib/logger.js';
import { openHistoryStore } from '../../../../src/outputs/history/store.js';
import type { HistoryStore } from '../../../../src/outputs/history/types.js';
import { LinesideError } from '../../../../src/lib/errors.js';
import { EmailDelivery } from '../../../../src/reports/email/delivery.js';
import { ReportService } from '../../../../src/reports/service.js';
import { buildApp } from '../../../../src/server/app.js';
import type { OutputStatus } from '../../../../src/outputs/output.js';
import type { AlertsPort, HealthPort, ServerOptions, SpoolStatus } from '../../../../src/server/deps.js';
import type { DeviceHealth } from '../../../../src/sources/source.js';
import { FakeLine } from './fake-line.js';

export const VIEW_TOKEN = 'view-secret-token';
export const OPERATOR_TOKEN = 'operator-secret-token-0123456789';

export function configYaml(
  server: {
    viewToken?: string;
    operatorToken?: string;
    allowedOrigins?: string[];
    usersFile?: string;
    storageDir?: string;
  } = {},
  stations = 3,
): string {
  const names = [
    'press',
    'weld',
    'pack',
    'paint',
    'test',
    'label',
    'wrap',
    'stack',
    'load',
    'inspect',
    'trim',
    'drill',
    'bend',
    'cut',
    'grind',
    'sort',
    'glue',
    'fold',
    'seal',
    'ship',
  ];
  const ids = Array.from({ length: stations }, (_, i) => names[i] ?? `st${i}`);
  const display: Record<string, string> = { press: 'Press 400t', weld: 'Spot weld cell', pack: 'Packing' };
  const serverLines = [
    ...(server.viewToken !== undefined ? [`  viewToken: ${server.viewToken}`] : []),
    ...(server.operatorToken !== undefined ? [`  operatorToken: ${server.operatorToken}`] : []),
    ...(server.allowedOrigins !== undefined
      ? [`  allowedOrigins: [${server.allowedOrigins.map((o) => JSON.stringify(o)).join(', ')}]`]
      : []),
    ...(server.usersFile !== undefined ? [`  usersFile: ${JSON.stringify(server.usersFile)}`] : []),
  ];
  return `
site: { enterprise: acme, site: stuttgart, area: stamping }
devices:
  - id: plc1
    protocol: modbus-tcp
    host: 127.0.0.1
    tags:
${ids.map((id, i) => `      - { name: ${id}Count, address: ${i * 4}, type: uint32 }\n      - { name: ${id}Fault, address: ${i * 4 + 2}, type: uint16 }`).join('\n')}
reasons:
  - { id: hydraulic, label: Hydraulic pressure low, category: breakdown }
  - { id: die-jam, label: Die jam, category: breakdown }
  - { id: changeover, label: Product changeover, category: setup }
  - { id: no-operator, label: No operator, category: breakdown }
shifts:
  timezone: Europe/Berlin
  shifts:
    - { name: early, start: "06:00", end: "14:00", target: 2400 }
    - { name: late, start: "14:00", end: "22:00" }
    - { name: night, start: "22:00", end: "06:00" }
lines:
  - id: line1
    name: Stamping line 1
    stations:
${ids
  .map(
    (id) => `      - id: ${id}
        name: ${display[id] ?? id}
        idealCycleTime: 12s
        signals: { cycleCounter: plc1.${id}Count, faultCode: plc1.${id}Fault }
        faultReasons: { "17": hydraulic }`,
  )
  .join('\n')}
server:
  port: 0
${serverLines.length > 0 ? serverLines.join('\n') : '  enabled: true'}
${server.storageDir !== undefined ? `storage: { dir: ${JSON.stringify(server.storageDir)} }` : ''}
`;
}

export function testConfig(server: Parameters<typeof configYaml>[0] = {}, stations = 3): Readonly<LinesideConfig> {
  const result = loadConfigText(configYaml(server, stations), { env: {} });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.issues)}`);
  return result.config;
}

/** A clock the test moves by hand (wall and monotonic together). */
export class ManualClock implements Clock {
  private mono = 1_000_000;
  constructor(private wall = Date.now()) {}
  wallMs(): number {
    return this.wall;
  }
  monoMs(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}

export class FakeHealth implements HealthPort {
  devices: DeviceHealth[] = [
    {
      device: 'plc1',
      endpoint: 'tcp://127.0.0.1:502 unit 1',
      connected: true,
      requests: 1200,
      errors: 3,
      overruns: 0,
      latencyP50Ms: 4.2,
      latencyP99Ms: 18.5,
    },
  ];
  spoolStatus: SpoolStatus | undefined = {
    depth: 12,
    bytes: 65536,
    dropped: 0,
    errors: 0,
    writable: true,
    oldestUnsentAgeMs: 250,
  };
  outputStatus: OutputStatus[] = [{ name: 'mqtt', up: true, sent: 4321, errors: 0 }];
  sources(): readonly DeviceHealth[] {
    return this.devices;
  }
  spool(): SpoolStatus {
    return this.spoolStatus as SpoolStatus;
  }
  outputs(): readonly OutputStatus[] {
    return this.outputStatus;
  }
}

export interface Harness {
  readonly app: FastifyInstance;
  readonly fake: FakeLine;
  readonly history: HistoryStore;
  readonly health: FakeHealth;
  readonly config: Readonly<LinesideConfig>;
  readonly clock: Clock;
  readonly dir: string;
  /** The report service, with `reports: true` (its files in `<dir>/reports`). */
  readonly reports?: ReportService;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly config?: Readonly<LinesideConfig>;
  readonly clock?: Clock;
  readonly options?: ServerOptions;
  /** Give the app an alerts port backed by the fake (default: history only). */
  readonly alertsPort?: boolean;
  readonly logger?: Logger;
  /** Health without spool/mqtt (a minimal agent). */
  readonly bareHealth?: boolean;
  /**
   * Give the app the agent's report service (as the agent always does), making reports on demand
   * only: it is not fed the core's events, so no report appears by itself. Its email delivery
   * reads each report's delivery.json (a test may write one) and has no SMTP server: the config
   * has no recipients, so nothing is sent.
   */
  readonly reports?: boolean;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const config = options.config ?? testConfig({ operatorToken: OPERATOR_TOKEN });
  const clock = options.clock ?? systemClock;
  const dir = mkdtempSync(path.join(tmpdir(), 'lineside-dash-'));
  const logger = options.logger ?? silentLogger;
  const history = openHistoryStore({ dir, retentionMs: config.storage.historyRetention, clock, logger });
  const fake = new FakeLine(config, clock);
  // As the agent does: every core event also goes to the history.
  const unsubscribeHistory = fake.subscribe((e) => history.record(e));
  const health = new FakeHealth();
  const healthPort: HealthPort = options.bareHealth === true ? { sources: () => health.devices } : health;
  const alerts: AlertsPort | undefined = options.alertsPort === true ? { list: () => fake.activeAlerts() } : undefined;
  const root = path.join(dir, 'reports');
  const reports =
    options.reports === true
      ? new ReportService({
          config,
          history,
          clock,
          logger,
          root,
          settleMs: 0,
          deliveries: [
            new EmailDelivery({
              config: config.reports.email,
              clock,
              logger,
              root,
              send: () => Promise.reject(new LinesideError('EMAIL_CONNECT', 'the test harness has no SMTP server')),
            }),
          ],
        })
      : undefined;
  let app: FastifyInstance;
  try {
    app = await buildApp({
      config,
      logger,
      clock,
      live: fake,
      commands: fake,
      history,
      health: healthPort,
      ...(alerts !== undefined ? { alerts } : {}),
      ...(reports !== undefined ? { reports } : {}),
      ...(options.options !== undefined ? { options: options.options } : {}),
    });
    // inject() readies the app by itself; injectWS() does not.
    await app.ready();
  } catch (err) {
    await reports?.close();
    unsubscribeHistory();
    history.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    app,
    fake,
    history,
    health,
    config,
    clock,
    dir,
    ...(reports !== undefined ? { reports } : {}),
    async close() {
      await app.close();
      await reports?.close();
      unsubscribeHistory();
      history.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
