/**
 * What the route modules share: the deps, resolved options, auth, the live feed and the hub.
 * Built once by `buildApp`.
 */
import type { LinesideConfig } from '../config/schema.js';
import type { Clock } from '../core/sample.js';
import type { Logger } from '../lib/logger.js';
import type { Permission } from '../users/roles.js';
import type { Auth } from './auth.js';
import type { AppDeps } from './deps.js';
import type { LiveFeed } from './live-feed.js';
import type { LoopLag } from './loop-lag.js';
import type { RateLimiter } from './rate-limit.js';
import type { StaticFile } from './static.js';
import type { ViewContext } from './view-build.js';
import type { DashboardView } from './view-model.js';
import type { WsHub } from './ws-hub.js';

export interface ResolvedOptions {
  readonly broadcastIntervalMs: number;
  readonly heartbeatIntervalMs: number;
  readonly slowClientBytes: number;
  readonly slowClientTimeoutMs: number;
  readonly maxClients: number;
  readonly healthIntervalMs: number;
  readonly rateLimit: { readonly burst: number; readonly perSecond: number };
  readonly sessionTtlMs: number;
  readonly trustProxy: boolean;
}

export interface ServerContext {
  readonly deps: AppDeps;
  readonly config: Readonly<LinesideConfig>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly options: ResolvedOptions;
  readonly auth: Auth;
  readonly limiter: RateLimiter;
  readonly feed: LiveFeed;
  readonly hub: WsHub;
  readonly view: ViewContext;
  readonly files: ReadonlyMap<string, StaticFile>;
  readonly loopLag: LoopLag;
  readonly startedAtWallMs: number;
  readonly counters: { rateLimited: number; authFailures: number };
  /** The whole page's view, built now. */
  dashboard(): DashboardView;
}

/** Which check a route needs before its handler; set as route `config.access`. */
export type Access = 'open' | 'view' | 'operator' | 'login';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** On 'operator' routes: what the principal's role must allow (src/users/roles.ts). */
    permission?: Permission;
  }
}
