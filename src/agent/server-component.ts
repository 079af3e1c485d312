import { openHistoryStore } from '../outputs/history/index.js';
import { commandsPortOf } from '../server/adapt-core.js';
import type { AppDeps, HealthPort, SpoolStatus } from '../server/deps.js';
import { startServer, type RunningServer } from '../server/start.js';
import type { DeviceHealth } from '../sources/source.js';
import type { AgentParts } from './agent.js';
import type { Component } from './lifecycle.js';

/**
 * The dashboard and its local history as agent components. The history store records every
 * core event (so the page shows the shift so far after a restart); the server reads it and
 * the live core through the narrow ports in src/server/deps.ts.
 */
export function serverComponents(parts: AgentParts): Component[] {
  const { config, core, spool, logger, clock } = parts;
  if (!config.server.enabled) return [];
  let subscribers = 0;
  const history = openHistoryStore({
    dir: config.storage.dir,
    retentionMs: config.storage.historyRetention,
    clock,
    logger: logger.child({ component: 'history' }),
  });
  parts.events.add('history', (e) => history.record(e));

  const health: HealthPort = {
    sources: () => parts.sources.flatMap((s): readonly DeviceHealth[] => s.health()),
    spool: (): SpoolStatus => {
      const h = spool.health();
      const destinations = Object.values(h.destinations);
      const depth = destinations.reduce((max, d) => Math.max(max, d.pending), 0);
      const oldest = destinations.reduce((max, d) => Math.max(max, d.oldestUnsentAgeMs), 0);
      return {
        depth,
        bytes: h.bytes,
        dropped: h.dropped.total,
        errors: h.errors,
        writable: h.lastError === undefined || !h.lastError.startsWith('SPOOL_IO'),
        oldestUnsentAgeMs: oldest,
        ...(h.lastError !== undefined ? { lastError: h.lastError } : {}),
      };
    },
    outputs: () => parts.outputs.map((o) => o.status()),
  };

  const dashboard = dashboardComponent({
    config,
    logger,
    clock,
    // Live deltas come from the agent's event tee (core events and alerts alike), not the core alone.
    live: { snapshot: () => core.snapshot(), subscribe: (listener) => parts.events.add(`dashboard-${++subscribers}`, listener) },
    commands: commandsPortOf(core, parts.alerts),
    history,
    health,
    ...(parts.alertList ? { alerts: parts.alertList } : {}),
  });
  return [
    dashboard,
    {
      name: 'history',
      role: 'output',
      start: async () => undefined,
      stop: async () => history.close(),
    },
  ];
}

/** The dashboard as a lifecycle component (role "server": started after the core, stopped before it). */
function dashboardComponent(deps: AppDeps): Component {
  let running: RunningServer | undefined;
  return {
    name: 'dashboard',
    role: 'server',
    async start() {
      running = await startServer(deps);
    },
    async stop() {
      const r = running;
      running = undefined;
      await r?.close();
    },
  };
}
