import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LinesideConfig } from '../config/schema.js';
import { createCore, joinRolling, parseCheckpoint, splitRolling, type Core, type CoreEvent } from '../core/index.js';
import type { Clock, CommsChange, Sample, SampleSink } from '../core/sample.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { createInfluxWriter, INFLUX_DESTINATION, type InfluxWriter } from '../outputs/influx/index.js';
import { createWebhooks, type Webhooks } from '../outputs/webhook/index.js';
import { createMqttPublisher, MQTT_DESTINATION, type MqttPublisher } from '../outputs/mqtt/index.js';
import { openSpool, type Spool } from '../outputs/spool/index.js';
import { createGpioSource, type VirtualGpioPort } from '../sources/gpio/index.js';
import { createModbusSource } from '../sources/modbus/source.js';
import type { Source } from '../sources/source.js';
import { createPredictor, parsePredictorCheckpoint, withAlerts, type Predictor } from '../predict/index.js';
import type { ActionBy, AlertEvent } from '../core/events.js';
import type { OutputHandle } from '../outputs/output.js';
import { FanOut } from './fanout.js';
import { Lifecycle, type Component } from './lifecycle.js';

export interface AgentOptions {
  readonly config: Readonly<LinesideConfig>;
  readonly logger: Logger;
  /** Default: the system clock. Tests and accelerated demos pass the simulator's clock. */
  readonly clock?: Clock;
  /** The simulator's virtual GPIO, for `gpio.driver: sim`. */
  readonly gpioSim?: { readonly port: VirtualGpioPort; readonly deliveredThroughMs?: () => number };
  /** How often time-driven core logic runs, real ms (default 200). */
  readonly tickIntervalMs?: number;
  /**
   * The core's restart checkpoint goes into every spool commit that adds events (so it always
   * covers exactly the spooled events); this is how often it is refreshed when no event comes,
   * so time keeps being accounted across a crash on an idle line. Real ms, default 5000.
   */
  readonly checkpointIntervalMs?: number;
  /** Extra components (the dashboard server) added by the caller. */
  readonly extraComponents?: (agent: AgentParts) => Component[];
}

/** What the agent is made of, for the server and health endpoints. */
export interface AgentParts {
  readonly config: Readonly<LinesideConfig>;
  readonly clock: Clock;
  readonly core: Core;
  readonly spool: Spool;
  readonly events: FanOut<CoreEvent>;
  readonly sources: readonly Source[];
  readonly mqtt?: MqttPublisher;
  readonly influx?: InfluxWriter;
  /** Every configured output, for health (/metrics, /readyz) by name. */
  readonly outputs: readonly OutputHandle[];
  /** The predictors (absent when alerts are disabled). */
  readonly predictor?: Predictor;
  /** Acknowledge port for the dashboard. */
  readonly alerts?: { acknowledge(alertId: string, by: ActionBy): { ok: true } | { ok: false; code: 'NOT_FOUND'; message: string } };
  /** Open alerts for the dashboard. */
  readonly alertList?: { list(): readonly AlertEvent[] };
  readonly logger: Logger;
}

export interface Agent extends AgentParts {
  readonly lifecycle: Lifecycle;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const CORE_CHECKPOINT_KEY = 'core';
const CORE_ROLLING_CHECKPOINT_KEY = 'core.rolling';
const PREDICTOR_ALERTS_CHECKPOINT_KEY = 'predictor.alerts';
const PREDICTOR_CHECKPOINT_KEY = 'predictor';

/**
 * Builds the agent: sources -> core (+ predictors) -> spool -> MQTT / InfluxDB, and the same
 * events to the webhooks and, through extraComponents, the history and dashboard
 * (docs/architecture.md#data-flow). The spool is opened first, because the core's restart
 * checkpoint lives in it: each save is committed atomically with the events appended before it.
 */
export function createAgent(options: AgentOptions): Agent {
  const { config } = options;
  const logger = options.logger;
  const clock = options.clock ?? systemClock;
  const storageDir = resolve(config.storage.dir);
  mkdirSync(storageDir, { recursive: true });

  const destinations = [config.mqtt.enabled ? MQTT_DESTINATION : undefined, config.influx.enabled ? INFLUX_DESTINATION : undefined].filter(
    (d): d is string => d !== undefined,
  );
  const spool = openSpool({
    dir: storageDir,
    maxBytes: config.storage.spoolMaxMB * 1024 * 1024,
    maxAgeMs: config.storage.spoolMaxAge,
    commitIntervalMs: config.storage.commitInterval,
    destinations,
    clock,
    logger: logger.child({ component: 'spool' }),
  });

  const coreLogger = logger.child({ component: 'core' });
  const events = new FanOut<CoreEvent>(coreLogger);
  const restore = readCheckpoint(spool, coreLogger);
  events.add('spool', (e) => spool.appendEvent(e));
  const core = createCore(config, {
    clock,
    ...(restore !== undefined ? { restore } : {}),
    onEvent: (e) => events.emit(e),
    onDiagnostic: (d) => coreLogger.warn({ code: d.code, ...d.context }, d.message),
  });

  const predictor = config.alerts.enabled ? buildPredictor(config, clock, spool, logger.child({ component: 'predict' })) : undefined;
  let webhooks: Webhooks | undefined;
  if (predictor) {
    events.add('predictor', (e) => predictor.onEvent(e));
    predictor.on((alert) => events.emit(alert));
    if (config.alerts.webhooks.length > 0) {
      webhooks = createWebhooks(
        config.alerts.webhooks.map((w) => ({ url: w.url, minSeverity: w.minSeverity, ...(w.secret !== undefined ? { secret: w.secret } : {}) })),
        { logger: logger.child({ component: 'webhook' }), agentId: config.agent.id },
      );
      const hooks = webhooks;
      events.add('webhooks', (e) => {
        if (e.type === 'alert') hooks.send(e);
      });
    }
  }

  const publishSamples = (config.mqtt.enabled && config.mqtt.samples.publish) || (config.influx.enabled && config.influx.writeSamples);
  const sink: SampleSink = {
    sample(s: Sample) {
      core.sample(s);
      predictor?.onSample(s);
      if (publishSamples) spool.appendSample(s);
    },
    comms(c: CommsChange) {
      if (c.ok) logger.info({ device: c.device }, 'device connected');
      else logger.warn({ device: c.device, err: c.error }, 'device lost');
      core.comms(c);
    },
  };

  const sources: Source[] = [];
  if (config.devices.length > 0) sources.push(createModbusSource(config, { clock, logger }));
  if (config.gpio.inputs.length > 0) {
    sources.push(
      createGpioSource(config, {
        clock,
        logger,
        ...(options.gpioSim ? { sim: options.gpioSim.port } : {}),
        ...(options.gpioSim?.deliveredThroughMs ? { simDeliveredThroughMs: options.gpioSim.deliveredThroughMs } : {}),
      }),
    );
  }
  const mqtt = config.mqtt.enabled
    ? createMqttPublisher({ config, spool, clock, logger })
    : undefined;

  const influx = config.influx.enabled ? createInfluxWriter({ config, spool, clock, logger }) : undefined;

  const lifecycle = new Lifecycle(logger);
  if (mqtt) lifecycle.add({ name: 'mqtt', role: 'output', start: () => mqtt.start(), stop: () => mqtt.stop() });
  if (influx) lifecycle.add({ name: 'influx', role: 'output', start: () => influx.start(), stop: () => influx.stop() });
  if (webhooks) {
    const hooks = webhooks;
    lifecycle.add({ name: 'webhooks', role: 'output', start: async () => undefined, stop: async () => void (await hooks.close(2_000)) });
  }
  lifecycle.add(coreComponent(core, predictor, spool, options));
  const outputs: OutputHandle[] = [mqtt, influx, webhooks].filter((o): o is NonNullable<typeof o> => o !== undefined);
  const parts: AgentParts = { config, clock, core, spool, events, sources, outputs, ...(mqtt ? { mqtt } : {}), ...(influx ? { influx } : {}),
    ...(predictor
      ? {
          predictor,
          alerts: { acknowledge: (id: string, by: ActionBy) => predictor.acknowledge(id, by) },
          alertList: { list: () => predictor.active() },
        }
      : {}),
    logger,
  };
  for (const extra of options.extraComponents?.(parts) ?? []) lifecycle.add(extra);
  for (const source of sources) {
    lifecycle.add({ name: source.name, role: 'source', start: () => source.start(sink), stop: () => source.stop() });
  }

  return {
    ...parts,
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

function readCheckpoint(spool: Spool, logger: Logger) {
  const raw = joinRolling(spool.getCheckpoint(CORE_CHECKPOINT_KEY), spool.getCheckpoint(CORE_ROLLING_CHECKPOINT_KEY));
  if (raw === undefined) return undefined;
  const parsed = parseCheckpoint(raw);
  if (!parsed.ok) {
    logger.error({ reason: parsed.message }, 'core checkpoint unusable; starting the shift figures fresh');
    return undefined;
  }
  logger.info('continuing from the core checkpoint');
  return parsed.checkpoint;
}

function buildPredictor(config: Readonly<LinesideConfig>, clock: Clock, spool: Spool, logger: Logger): Predictor {
  const raw = withAlerts(spool.getCheckpoint(PREDICTOR_CHECKPOINT_KEY), spool.getCheckpoint(PREDICTOR_ALERTS_CHECKPOINT_KEY));
  const parsed = raw === undefined ? undefined : parsePredictorCheckpoint(raw);
  if (parsed !== undefined && !parsed.ok) logger.warn({ reason: parsed.message }, 'predictor checkpoint unusable; baselines are learned afresh');
  return createPredictor(config, {
    clock,
    ...(parsed?.ok ? { restore: parsed.checkpoint } : {}),
    onDiagnostic: (d) => logger.warn({ code: d.code }, d.message),
  });
}

/**
 * Ticks the core (and predictors) on a timer. Their restart checkpoints are spool checkpoint
 * sources: taken in every commit that adds events, in the same transaction, so a restart after
 * `kill -9` continues exactly after the last spooled event (docs/architecture.md#guarantees).
 */
function coreComponent(core: Core, predictor: Predictor | undefined, spool: Spool, options: AgentOptions): Component {
  let tickTimer: NodeJS.Timeout | undefined;
  let checkpointTimer: NodeJS.Timeout | undefined;
  let ticks = 0;
  // Identity (seq, baselines, open intervals, open alerts) goes with every batch of events. The
  // core's rolling-hour buckets and the predictors' learnt baselines are most of the bytes and no
  // identity: they follow with the periodic refresh only, so the SD card is not rewritten with
  // them several times a second (a few seconds' lag only costs those seconds of learning).
  spool.setCheckpointSource(CORE_CHECKPOINT_KEY, () => core.checkpoint({ withRolling: false }));
  spool.setCheckpointSource(CORE_ROLLING_CHECKPOINT_KEY, () => splitRolling(core.checkpoint()).rolling, 'requested');
  if (predictor) {
    spool.setCheckpointSource(PREDICTOR_ALERTS_CHECKPOINT_KEY, () => predictor.alertsCheckpoint());
    spool.setCheckpointSource(PREDICTOR_CHECKPOINT_KEY, () => predictor.checkpoint(), 'requested');
  }
  return {
    name: 'core',
    role: 'core',
    start: async () => {
      tickTimer = setInterval(() => {
        core.tick();
        // The predictors' windows slide slowly: once a second is plenty.
        if (predictor && ++ticks % 5 === 0) predictor.tick();
      }, options.tickIntervalMs ?? 200);
      checkpointTimer = setInterval(() => spool.requestCheckpoint(), options.checkpointIntervalMs ?? 5_000);
    },
    stop: async () => {
      clearInterval(tickTimer);
      clearInterval(checkpointTimer);
      core.tick();
      predictor?.tick();
      spool.requestCheckpoint();
      spool.flush();
    },
  };
}
