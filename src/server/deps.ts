/**
 * The narrow ports the dashboard server needs. The agent adapts the real core, predictors,
 * sources, spool and outputs to these; tests drive them with in-process fakes fed real
 * `CoreEvent`s. The server never imports the core's implementation.
 */
import type { LinesideConfig } from '../config/schema.js';
import type { OrderSpec, OrderView } from '../core/line-orders.js';
import type { ActionBy, AlertEvent, CoreEvent } from '../core/events.js';
import type { Clock } from '../core/sample.js';
import type { LineSnapshot, OeeView, StationSnapshot } from '../core/snapshot.js';
import type { Logger } from '../lib/logger.js';
import type { HistoryReader } from '../outputs/history/types.js';
import type { StoredReport } from '../reports/files.js';
import type { GeneratedReport, ReportSelector, ReportsHealth } from '../reports/service.js';
import type { OutputStatus } from '../outputs/output.js';
import type { DeviceHealth } from '../sources/source.js';

/**
 * The live picture, as the core's `snapshot()` describes it. Type-only imports: the server
 * depends on the shape, never on the core's implementation, and the two cannot drift apart.
 */
export type LiveOee = OeeView;
export type LiveStationSnapshot = StationSnapshot;
export type LiveLineSnapshot = LineSnapshot;

/** The live core. */
export interface LivePort {
  /**
   * The current picture, synchronously. Called when a websocket client connects, on
   * `GET /api/snapshot`, and at most once per broadcast interval (~4/s) while events arrive.
   * Must be cheap (the core builds it from counters, no history scan).
   */
  snapshot(): readonly LiveLineSnapshot[];
  /**
   * Called once by `buildApp`; the listener runs synchronously for every core event and never
   * throws or blocks (it only marks what changed). Returns the unsubscribe, called on close.
   */
  subscribe(listener: (event: CoreEvent) => void): () => void;
}

/** Who acted (login name, role, how they authenticated) and their note: it goes into the core's event. */
export type Operator = ActionBy;

export type CommandFailure = {
  readonly ok: false;
  readonly code:
    | 'NOT_FOUND'
    | 'UNKNOWN_REASON'
    | 'UNKNOWN_PRODUCT'
    | 'NOT_AVAILABLE'
    | 'NO_ORDER'
    | 'INVALID_ORDER'
    | 'ORDER_RUNNING'
    | 'ORDER_CONFLICT'
    | 'ORDER_COMPLETED'
    | 'UNKNOWN_SCRAP_REASON'
    | 'NOT_ENOUGH_GOOD';
  readonly message: string;
};

export type CommandResult = { readonly ok: true } | CommandFailure;

/** `changed`: the stations whose product changed (those already running it are left alone). */
export type SetProductResult = { readonly ok: true; readonly changed: readonly string[] } | CommandFailure;

/** The order after the command, with its progress and forecast. */
export type OrderCommandResult = { readonly ok: true; readonly order: OrderView } | CommandFailure;

export type ScrapCommandResult = { readonly ok: true; readonly count: number } | CommandFailure;

/** Operator commands into the core and the predictors. May return synchronously or a promise. */
export interface CommandsPort {
  /** Core `assignReason`: assign/change the reason of a downtime (open, or closed in the current/previous shift). */
  assignReason(downtimeId: string, reasonId: string, by: Operator): CommandResult | Promise<CommandResult>;
  /** Acknowledge an active alert; the predictors then emit the alert with status "acknowledged". */
  acknowledgeAlert(alertId: string, by: Operator): CommandResult | Promise<CommandResult>;
  /** Core `setProduct`: the product a line (or one station of it) runs from now on; null for none. */
  setProduct(
    target: { readonly line: string; readonly station?: string },
    product: string | null,
    by: Operator,
  ): SetProductResult | Promise<SetProductResult>;
  /** Core `startOrder`: start a new order on a line, or resume a stopped one. */
  startOrder(line: string, spec: OrderSpec, by: Operator): OrderCommandResult | Promise<OrderCommandResult>;
  /** Core `stopOrder`: stop the line's running order. */
  stopOrder(line: string, by: Operator): OrderCommandResult | Promise<OrderCommandResult>;
  /** Core `recordScrap`: parts a station counted good this shift were scrapped afterwards. */
  recordScrap(
    station: string,
    reason: string,
    count: number,
    by: Operator,
  ): ScrapCommandResult | Promise<ScrapCommandResult>;
}

/** Spool figures for /metrics and /readyz (the agent maps `SpoolHealth` onto this). */
export interface SpoolStatus {
  /** Committed rows not yet acknowledged by the slowest destination. */
  readonly depth: number;
  readonly bytes: number;
  /** Rows dropped by the size/age bounds since start. */
  readonly dropped: number;
  readonly errors: number;
  /** False while the spool cannot write (disk full, I/O error). */
  readonly writable: boolean;
  /** Wall ms since the oldest unsent row was written; 0 when nothing waits. */
  readonly oldestUnsentAgeMs?: number;
  readonly lastError?: string;
}

/** Health of the parts around the core. Polled by /metrics, /readyz and every ~2 s for the page. */
export interface HealthPort {
  /** Every source's devices (Modbus devices, "gpio"). */
  sources(): readonly DeviceHealth[];
  spool?(): SpoolStatus;
  /** Every configured output, by name (src/outputs/output.ts). */
  outputs?(): readonly OutputStatus[];
}

/** Alerts the predictors hold now (active and acknowledged); absent: the history's are used. */
export interface AlertsPort {
  list(): readonly AlertEvent[];
}

export interface ServerOptions {
  /**
   * Coalescing window of websocket deltas, ms: at most one delta per window; the first change
   * after a quiet window goes out at once. Default 250 (at most 4 deltas a second).
   */
  readonly broadcastIntervalMs?: number;
  /** Ping interval; a client that has not answered the previous ping is dropped; default 15 s. */
  readonly heartbeatIntervalMs?: number;
  /** Bytes queued for one client above which it is skipped (it gets a snapshot once it drains); default 512 KiB. */
  readonly slowClientBytes?: number;
  /** A client skipped for longer than this is disconnected; default 10 s. */
  readonly slowClientTimeoutMs?: number;
  /** Websocket clients at most; more get 503; default 200. */
  readonly maxClients?: number;
  /** How often device health is compared and sent to the page when it changed, ms; default 2,000. */
  readonly healthIntervalMs?: number;
  /** POST rate limit per client address: bucket size and refill per second; default 20 and 2. */
  readonly rateLimit?: { readonly burst: number; readonly perSecond: number };
  /** Operator session lifetime, ms; default 12 h. */
  readonly sessionTtlMs?: number;
  /** Directory of the page's files; default: src/web next to this module. */
  readonly webDir?: string;
  /** Trust X-Forwarded-For (behind a reverse proxy); default false. */
  readonly trustProxy?: boolean;
}

export interface AppDeps {
  readonly config: Readonly<LinesideConfig>;
  readonly logger: Logger;
  /** Default: the system clock. Tests inject one to drive the slow-client timeout. */
  readonly clock?: Clock;
  readonly live: LivePort;
  readonly commands: CommandsPort;
  /** The local history (fed with the core's events by the agent); the server only reads it. */
  readonly history: HistoryReader;
  readonly health: HealthPort;
  readonly alerts?: AlertsPort;
  /** End-of-shift report files (src/reports); absent: the report routes answer 503. */
  readonly reports?: ReportsPort;
  readonly options?: ServerOptions;
}

/** What the report routes need of the report service (src/reports/service.ts). */
export interface ReportsPort {
  /** The reports of one line, or of all. */
  list(line?: string): Promise<readonly StoredReport[]>;
  /** Makes one shift's, day's or week's report now; rejects with a coded LinesideError (NOT_FOUND: no such shift). */
  generate(sel: ReportSelector): Promise<GeneratedReport>;
  health(): ReportsHealth;
  /** The reports folder, `<storage.dir>/reports`. */
  readonly root: string;
}
