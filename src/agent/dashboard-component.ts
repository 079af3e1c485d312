/**
 * The dashboard server as an agent component: it reads the live core, the local history and the
 * health of sources, spool and outputs through the narrow ports in src/server/deps.ts.
 */
import type { LinesideConfig } from '../config/schema.js';
import type { Core, CoreEvent } from '../core/index.js';
import type { Clock } from '../core/sample.js';
import type { Component } from '../lib/component.js';
import type { Logger } from '../lib/logger.js';
import type { HistoryStore } from '../outputs/history/index.js';
import type { OutputHandle } from '../outputs/output.js';
import type { Spool } from '../outputs/spool/index.js';
import type { Predictor } from '../predict/index.js';
import { commandsPortOf } from '../server/adapt-core.js';
import type { HealthPort, ReportsPort, SpoolStatus } from '../server/deps.js';
import { startServer, type RunningServer } from '../server/start.js';
import type { DeviceHealth, Source } from '../sources/source.js';

export interface DashboardDeps {
  readonly config: Readonly<LinesideConfig>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly core: Core;
  readonly predictor: Predictor | undefined;
  /** The agent's event tee: live deltas include alerts, not only the core's own events. */
  readonly events: { add(name: string, listener: (event: CoreEvent) => void): () => void };
  readonly history: HistoryStore;
  readonly reports?: ReportsPort;
  readonly spool: Spool;
  readonly sources: readonly Source[];
  readonly outputs: readonly OutputHandle[];
}

function spoolStatus(spool: Spool): SpoolStatus {
  const h = spool.health();
  const destinations = Object.values(h.destinations);
  return {
    depth: destinations.reduce((max, d) => Math.max(max, d.pending), 0),
    bytes: h.bytes,
    dropped: h.dropped.total,
    errors: h.errors,
    writable: h.lastError === undefined || !h.lastError.startsWith('SPOOL_IO'),
    oldestUnsentAgeMs: destinations.reduce((max, d) => Math.max(max, d.oldestUnsentAgeMs), 0),
    ...(h.lastError !== undefined ? { lastError: h.lastError } : {}),
  };
}

/** Role "server": started after the core, stopped before it. */
export function dashboardComponent(deps: DashboardDeps): Component {
  const { config, core, predictor } = deps;
  let subscribers = 0;
  let running: RunningServer | undefined;
  const health: HealthPort = {
    sources: () => deps.sources.flatMap((s): readonly DeviceHealth[] => s.health()),
    spool: () => spoolStatus(deps.spool),
    outputs: () => deps.outputs.map((o) => o.status()),
  };
  return {
    name: 'dashboard',
    role: 'server',
    async start() {
      running = await startServer({
        config,
        logger: deps.logger,
        clock: deps.clock,
        live: {
          snapshot: () => core.snapshot(),
          subscribe: (listener) => deps.events.add(`dashboard-${++subscribers}`, listener),
        },
        commands: commandsPortOf(core, predictor),
        history: deps.history,
        ...(deps.reports !== undefined ? { reports: deps.reports } : {}),
        health,
        ...(predictor ? { alerts: { list: () => predictor.active() } } : {}),
      });
    },
    async stop() {
      const r = running;
      running = undefined;
      await r?.close();
    },
  };
}
