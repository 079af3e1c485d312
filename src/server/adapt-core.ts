/**
 * Ready-made adapters from the real core to the server's ports, for the agent. Structural types
 * only: the server still does not import the core's implementation.
 */
import type { ActionBy, CoreEvent } from '../core/events.js';
import type { OrderSpec } from '../core/line-orders.js';
import type {
  CommandResult,
  CommandsPort,
  LiveLineSnapshot,
  LivePort,
  Operator,
  OrderCommandResult,
  ScrapCommandResult,
  SetProductResult,
} from './deps.js';

/** What the server needs of src/core's `Core`. */
export interface CoreLike {
  snapshot(): readonly LiveLineSnapshot[];
  on(listener: (event: CoreEvent) => void): () => void;
  assignReason(downtimeId: string, reasonId: string, by?: ActionBy): CommandResult;
  setProduct(target: { line: string; station?: string }, product: string | null, by?: ActionBy): SetProductResult;
  startOrder(line: string, spec: OrderSpec, by?: ActionBy): OrderCommandResult;
  stopOrder(line: string, by?: ActionBy): OrderCommandResult;
  recordScrap(station: string, reason: string, count: number, by?: ActionBy): ScrapCommandResult;
}

/** What the server needs of the predictors (absent when alerts are disabled). */
export interface AlertAckLike {
  acknowledge(alertId: string, by: Operator): CommandResult;
}

export function livePortOf(core: CoreLike): LivePort {
  return { snapshot: () => core.snapshot(), subscribe: (listener) => core.on(listener) };
}

export function commandsPortOf(core: CoreLike, alerts?: AlertAckLike): CommandsPort {
  return {
    assignReason: (downtimeId, reasonId, by) => core.assignReason(downtimeId, reasonId, by),
    setProduct: (target, product, by) => core.setProduct(target, product, by),
    startOrder: (line, spec, by) => core.startOrder(line, spec, by),
    stopOrder: (line, by) => core.stopOrder(line, by),
    recordScrap: (station, reason, count, by) => core.recordScrap(station, reason, count, by),
    acknowledgeAlert: (alertId, by) =>
      alerts?.acknowledge(alertId, by) ?? {
        ok: false,
        code: 'NOT_FOUND',
        message: `no active alert ${alertId} (the predictors are not running)`,
      },
  };
}
