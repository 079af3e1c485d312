/**
 * The composition root: builds the agent from the config and the registries (src/agent/registry.ts):
 * sources -> core (+ predictors) -> the event tee -> spool -> spooled outputs (MQTT, InfluxDB,
 * webhooks), and the same events to the local history and the dashboard
 * (docs/architecture.md#data-flow). The spool is opened first, because the core's restart
 * checkpoint lives in it: each save is committed atomically with the events appended before it.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LinesideConfig } from '../config/schema.js';
import { createCore, type Core, type CoreEvent } from '../core/index.js';
import type { Clock, CommsChange, Sample, SampleSink } from '../core/sample.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { openHistoryStore, type HistoryStore } from '../outputs/history/index.js';
import type { BuiltOutput, OutputFactory, OutputHandle } from '../outputs/output.js';
import { openSpool, type Spool } from '../outputs/spool/index.js';
import type { Predictor } from '../predict/index.js';
import { EmailDelivery } from '../reports/email/delivery.js';
import { smtpTransport } from '../reports/email/transport.js';
import { WebhookDelivery } from '../reports/webhook/delivery.js';
import { httpTransport } from '../reports/webhook/transport.js';
import { ReportService } from '../reports/service.js';
import { commandsPortOf } from '../server/adapt-core.js';
import { tokenPrincipal } from '../server/auth.js';
import type { Source, SourceContext, SourceFactory } from '../sources/source.js';
import { UserDirectory } from '../users/directory.js';
import { buildPredictor, coreComponent, readCoreCheckpoint, type CoreTiming } from './core-component.js';
import { dashboardComponent } from './dashboard-component.js';
import { mqttCommandsComponent } from './mqtt-commands.js';
import { FanOut } from './fanout.js';
import { Lifecycle } from './lifecycle.js';
import { OUTPUTS, SOURCES } from './registry.js';

export interface AgentOptions extends CoreTiming {
  readonly config: Readonly<LinesideConfig>;
  readonly logger: Logger;
  /** Default: the system clock. Tests and accelerated demos pass the simulator's clock. */
  readonly clock?: Clock;
  /** The simulator's virtual GPIO, for `gpio.driver: sim`. */
  readonly gpioSim?: SourceContext['gpioSim'];
  /** Default: the registry's. Tests add their own (a test-only sink is one more entry). */
  readonly outputs?: readonly OutputFactory[];
  readonly sources?: readonly SourceFactory[];
}

export interface Agent {
  readonly config: Readonly<LinesideConfig>;
  readonly clock: Clock;
  readonly core: Core;
  /** The predictors (absent when alerts are disabled). */
  readonly predictor?: Predictor;
  readonly spool: Spool;
  /** Every core event and alert, in one order for all consumers. */
  readonly events: FanOut<CoreEvent>;
  readonly sources: readonly Source[];
  readonly outputs: readonly OutputHandle[];
  readonly history: HistoryStore;
  /** End-of-shift report files. */
  readonly reports: ReportService;
  readonly lifecycle: Lifecycle;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAgent(options: AgentOptions): Agent {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const storageDir = resolve(config.storage.dir);
  mkdirSync(storageDir, { recursive: true });
  const outputFactories = (options.outputs ?? OUTPUTS).filter((f) => f.enabled(config));

  const spool = openSpool({
    dir: storageDir,
    maxBytes: config.storage.spoolMaxMB * 1024 * 1024,
    maxAgeMs: config.storage.spoolMaxAge,
    commitIntervalMs: config.storage.commitInterval,
    destinations: outputFactories.filter((f) => f.spooled).flatMap((f) => f.spoolDestinations?.(config) ?? [f.name]),
    clock,
    logger: logger.child({ component: 'spool' }),
  });

  const coreLogger = logger.child({ component: 'core' });
  const events = new FanOut<CoreEvent>(coreLogger);
  // Samples to outputs that take some live (the Sparkplug node's condition signals), after the spool.
  const samples = new FanOut<Sample>(logger);
  const restore = readCoreCheckpoint(spool, coreLogger);
  events.add('spool', (e) => spool.appendEvent(e));
  const core = createCore(config, {
    clock,
    ...(restore !== undefined ? { restore } : {}),
    onEvent: (e) => events.emit(e),
    onDiagnostic: (d) => coreLogger.warn({ code: d.code, ...d.context }, d.message),
  });
  const predictor = config.alerts.enabled
    ? buildPredictor(config, clock, spool, logger.child({ component: 'predict' }))
    : undefined;
  if (predictor) {
    events.add('predictor', (e) => predictor.onEvent(e));
    predictor.on((alert) => events.emit(alert));
  }
  // The dashboard's history is kept whether or not the dashboard runs (server.enabled: false
  // used to turn it off without a word).
  const history = openHistoryStore({
    dir: storageDir,
    retentionMs: config.storage.historyRetention,
    shiftRetentionMs: config.storage.shiftHistoryRetention,
    clock,
    logger: logger.child({ component: 'history' }),
  });
  events.add('history', (e) => history.record(e));
  // End-of-shift report files (docs/reports.md): after the history, so the listener sees an event
  // the history already holds; the work itself runs later, off the core's path.
  // Report deliveries (docs/reports.md#delivery-by-email, #delivery-by-webhook): queues on disk.
  const reportsRoot = join(storageDir, 'reports');
  const queue = (component: string) => ({ clock, logger: logger.child({ component }), root: reportsRoot });
  const { email: emailConfig, webhook: webhookConfig } = config.reports;
  const email = emailConfig.enabled
    ? new EmailDelivery({ config: emailConfig, ...queue('reports-email'), send: smtpTransport(emailConfig) })
    : undefined;
  const webhook = webhookConfig.enabled
    ? new WebhookDelivery({ config: webhookConfig, ...queue('reports-webhook'), send: httpTransport(webhookConfig) })
    : undefined;
  const reports = new ReportService({
    config,
    history,
    clock,
    logger: logger.child({ component: 'reports' }),
    root: reportsRoot,
    deliveries: [email, webhook].filter((d) => d !== undefined),
  });
  events.add('reports', (e) => reports.onEvent(e));

  const lifecycle = new Lifecycle(logger);
  const outputs: OutputHandle[] = [];
  let embeddedBroker: BuiltOutput['embeddedBroker'];
  for (const factory of outputFactories) {
    const built = factory.create({ config, clock, logger, spool, events, samples });
    outputs.push(built.output, ...(built.siblings ?? []));
    for (const component of built.components) lifecycle.add(component);
    embeddedBroker ??= built.embeddedBroker;
  }
  lifecycle.add({ name: 'history', role: 'output', start: async () => undefined, stop: async () => history.close() });
  lifecycle.add(coreComponent(core, predictor, spool, options));
  // Role "server": stopped before the core and the history it reads.
  lifecycle.add({
    name: 'reports',
    role: 'server',
    // Catching up (a shift that ended while the agent was stopped) runs in the background.
    start: async () => {
      void reports
        .prune()
        .then(() => email?.resume())
        .then(() => webhook?.resume())
        .then(() => reports.catchUp());
    },
    stop: () => reports.close(),
  });

  const sourceContext: SourceContext = {
    config,
    clock,
    logger,
    ...(options.gpioSim ? { gpioSim: options.gpioSim } : {}),
  };
  const sources = (options.sources ?? SOURCES).filter((f) => f.enabled(config)).map((f) => f.create(sourceContext));
  if (config.server.enabled) {
    lifecycle.add(
      dashboardComponent({
        config,
        clock,
        logger,
        core,
        predictor,
        events,
        history,
        reports,
        spool,
        sources,
        outputs,
      }),
    );
  }
  if (config.mqtt.enabled && config.mqtt.commands) {
    const directory =
      config.server.usersFile !== undefined
        ? new UserDirectory(config.server.usersFile, logger.child({ component: 'users' }))
        : undefined;
    lifecycle.add(
      mqttCommandsComponent({
        config,
        clock,
        logger,
        commands: commandsPortOf(core),
        principalOf: (token) => tokenPrincipal(token, config.server.operatorToken, directory),
        ...(embeddedBroker !== undefined ? { embeddedBroker } : {}),
      }),
    );
  }
  const spoolSamples = outputFactories.some((f) => f.spooled && f.readsSamples(config));
  const sink = sampleSink(core, predictor, spoolSamples ? spool : undefined, samples, logger);
  for (const source of sources)
    lifecycle.add({ name: source.name, role: 'source', start: () => source.start(sink), stop: () => source.stop() });

  return {
    config,
    clock,
    core,
    ...(predictor ? { predictor } : {}),
    spool,
    events,
    sources,
    outputs,
    history,
    reports,
    lifecycle,
    start: async () => {
      await lifecycle.start();
    },
    stop: async () => {
      await lifecycle.stop();
      spool.close();
    },
  };
}

/** Where the sources' readings go: the core, the predictors, and the spool when an output wants raw samples. */
function sampleSink(
  core: Core,
  predictor: Predictor | undefined,
  sampleSpool: Spool | undefined,
  samples: FanOut<Sample>,
  logger: Logger,
): SampleSink {
  return {
    sample(s: Sample) {
      core.sample(s);
      predictor?.onSample(s);
      sampleSpool?.appendSample(s);
      if (samples.size > 0) samples.emit(s);
    },
    comms(c: CommsChange) {
      if (c.ok) logger.info({ device: c.device }, 'device connected');
      else logger.warn({ device: c.device, err: c.error }, 'device lost');
      core.comms(c);
    },
  };
}
