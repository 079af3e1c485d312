/**
 * The core and the predictors inside the agent: restored from the spool's checkpoints at start,
 * ticked on a timer, and checkpointed into the spool with the events they produced.
 */
import type { LinesideConfig } from '../config/schema.js';
import { joinRolling, parseCheckpoint, splitRolling, type Core } from '../core/index.js';
import type { Clock } from '../core/sample.js';
import type { Component } from '../lib/component.js';
import type { Logger } from '../lib/logger.js';
import type { Spool } from '../outputs/spool/index.js';
import { createPredictor, parsePredictorCheckpoint, withAlerts, type Predictor } from '../predict/index.js';

const CORE_CHECKPOINT_KEY = 'core';
const CORE_ROLLING_CHECKPOINT_KEY = 'core.rolling';
const PREDICTOR_ALERTS_CHECKPOINT_KEY = 'predictor.alerts';
const PREDICTOR_CHECKPOINT_KEY = 'predictor';

export function readCoreCheckpoint(spool: Spool, logger: Logger) {
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

export function buildPredictor(
  config: Readonly<LinesideConfig>,
  clock: Clock,
  spool: Spool,
  logger: Logger,
): Predictor {
  const raw = withAlerts(
    spool.getCheckpoint(PREDICTOR_CHECKPOINT_KEY),
    spool.getCheckpoint(PREDICTOR_ALERTS_CHECKPOINT_KEY),
  );
  const parsed = raw === undefined ? undefined : parsePredictorCheckpoint(raw);
  if (parsed !== undefined && !parsed.ok)
    logger.warn({ reason: parsed.message }, 'predictor checkpoint unusable; baselines are learned afresh');
  return createPredictor(config, {
    clock,
    ...(parsed?.ok ? { restore: parsed.checkpoint } : {}),
    onDiagnostic: (d) => logger.warn({ code: d.code }, d.message),
  });
}

export interface CoreTiming {
  /** How often time-driven core logic runs, real ms (default 200). */
  readonly tickIntervalMs?: number;
  /** How often the checkpoint is refreshed when no event comes, real ms (default 5000). */
  readonly checkpointIntervalMs?: number;
}

/**
 * Ticks the core (and predictors) on a timer. Their restart checkpoints are spool checkpoint
 * sources: taken in every commit that adds events, in the same transaction, so a restart after
 * `kill -9` continues exactly after the last spooled event (docs/architecture.md#guarantees).
 */
export function coreComponent(
  core: Core,
  predictor: Predictor | undefined,
  spool: Spool,
  timing: CoreTiming,
): Component {
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
      }, timing.tickIntervalMs ?? 200);
      checkpointTimer = setInterval(() => spool.requestCheckpoint(), timing.checkpointIntervalMs ?? 5_000);
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
