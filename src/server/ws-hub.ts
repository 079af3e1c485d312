/**
 * The websocket clients of the live feed, and the rules that keep one bad client from hurting
 * the rest or the Pi:
 * - every delta is serialised once and the same bytes go to every client;
 * - a client whose socket has more than `slowClientBytes` queued is skipped (the write would
 *   only grow memory); it gets a fresh snapshot once it has drained, and is disconnected if it
 *   stays over the limit for `slowClientTimeoutMs`. Queued bytes per client are thus bounded by
 *   the limit plus one message;
 * - a ping every `heartbeatIntervalMs`; a client that did not answer the previous one (a laptop
 *   that went to sleep, a half-open TCP connection) is dropped;
 * - incoming messages are tiny commands ({"type":"resync"}); anything else is ignored.
 */
import type { WebSocket } from 'ws';
import type { Logger } from '../lib/logger.js';
import type { DeltaView } from './view-model.js';

export interface HubOptions {
  readonly slowClientBytes: number;
  readonly slowClientTimeoutMs: number;
  readonly maxClients: number;
}

export interface HubStats {
  readonly clients: number;
  readonly connectionsTotal: number;
  readonly messagesSent: number;
  readonly bytesSent: number;
  /** Deltas not sent to a client because it was too far behind. */
  readonly skipped: number;
  readonly slowDisconnects: number;
  readonly heartbeatDisconnects: number;
  readonly broadcasts: number;
  /** Bytes queued in all client sockets right now. */
  readonly bufferedBytes: number;
  /** The longest queue of any one client right now (a slow client shows here). */
  readonly maxClientBufferedBytes: number;
}

interface Client {
  readonly socket: WebSocket;
  readonly remote: string;
  alive: boolean;
  /** Monotonic ms since when the client has been over the limit. */
  highSinceMs: number | undefined;
  needsSnapshot: boolean;
  lastResyncMs: number;
}

const OPEN = 1;
const RESYNC_MIN_INTERVAL_MS = 2_000;

/**
 * `Delta` is what a broadcast carries besides `type: 'delta'`: the dashboard's DeltaView, or
 * the plant page's whole (small) view (src/plant/http.ts).
 */
export class WsHub<Delta extends object = DeltaView> {
  private readonly clients = new Set<Client>();
  private connectionsTotal = 0;
  private messagesSent = 0;
  private bytesSent = 0;
  private skipped = 0;
  private slowDisconnects = 0;
  private heartbeatDisconnects = 0;
  private broadcasts = 0;

  constructor(
    private readonly options: HubOptions,
    private readonly monoMs: () => number,
    private readonly logger: Logger,
    /** The serialised snapshot message for a client that connects or has to catch up. */
    private readonly snapshotMessage: () => Buffer,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= this.options.maxClients;
  }

  /** Takes over a freshly upgraded socket: handlers first (synchronously), then the snapshot. */
  accept(socket: WebSocket, remote: string): void {
    const client: Client = {
      socket,
      remote,
      alive: true,
      highSinceMs: undefined,
      needsSnapshot: false,
      lastResyncMs: this.monoMs(),
    };
    this.clients.add(client);
    this.connectionsTotal++;
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', (err) => {
      this.logger.debug({ remote, err: err.message }, 'websocket client error');
      this.clients.delete(client);
    });
    this.send(client, this.snapshotMessage());
  }

  private onMessage(client: Client, data: unknown, isBinary: boolean): void {
    if (isBinary || !(data instanceof Buffer) || data.length > 256) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    if ((message as { type?: unknown } | null)?.type !== 'resync') return;
    const now = this.monoMs();
    if (now - client.lastResyncMs < RESYNC_MIN_INTERVAL_MS) return;
    client.lastResyncMs = now;
    if (client.socket.bufferedAmount <= this.options.slowClientBytes / 2) this.send(client, this.snapshotMessage());
    else client.needsSnapshot = true;
  }

  broadcast(delta: Delta): void {
    this.broadcasts++;
    const bytes = Buffer.from(JSON.stringify({ type: 'delta', ...delta }), 'utf8');
    let snapshot: Buffer | undefined;
    const now = this.monoMs();
    for (const client of this.clients) {
      const socket = client.socket;
      if (socket.readyState !== OPEN) continue;
      const queued = socket.bufferedAmount;
      // Hysteresis: a client catching up must drain to half the limit before it gets the
      // (larger) snapshot, or it would bounce straight back over the limit.
      if (
        queued > this.options.slowClientBytes ||
        (client.needsSnapshot && queued > this.options.slowClientBytes / 2)
      ) {
        this.skipped++;
        client.needsSnapshot = true;
        client.highSinceMs ??= now;
        this.dropIfStuck(client, now);
        continue;
      }
      client.highSinceMs = undefined;
      if (client.needsSnapshot) {
        client.needsSnapshot = false;
        snapshot ??= this.snapshotMessage();
        this.send(client, snapshot);
      } else {
        this.send(client, bytes);
      }
    }
  }

  /** Pings every client; drops those that did not answer the previous ping or stay stuck. */
  heartbeat(): void {
    const now = this.monoMs();
    for (const client of this.clients) {
      if (this.dropIfStuck(client, now)) continue;
      if (!client.alive) {
        this.heartbeatDisconnects++;
        this.logger.info({ remote: client.remote }, 'websocket client did not answer a ping; disconnected');
        this.drop(client);
        continue;
      }
      client.alive = false;
      if (client.socket.readyState === OPEN) client.socket.ping();
    }
  }

  private dropIfStuck(client: Client, now: number): boolean {
    if (client.highSinceMs === undefined || now - client.highSinceMs <= this.options.slowClientTimeoutMs) return false;
    this.slowDisconnects++;
    this.logger.warn(
      { remote: client.remote, bufferedBytes: client.socket.bufferedAmount, limitBytes: this.options.slowClientBytes },
      'websocket client too slow to keep up; disconnected',
    );
    this.drop(client);
    return true;
  }

  private drop(client: Client): void {
    this.clients.delete(client);
    client.socket.terminate();
  }

  private send(client: Client, bytes: Buffer): void {
    if (client.socket.readyState !== OPEN) return;
    client.socket.send(bytes, { binary: false });
    this.messagesSent++;
    this.bytesSent += bytes.length;
  }

  stats(): HubStats {
    let bufferedBytes = 0;
    let maxClientBufferedBytes = 0;
    for (const client of this.clients) {
      const queued = client.socket.bufferedAmount;
      bufferedBytes += queued;
      maxClientBufferedBytes = Math.max(maxClientBufferedBytes, queued);
    }
    return {
      clients: this.clients.size,
      connectionsTotal: this.connectionsTotal,
      messagesSent: this.messagesSent,
      bytesSent: this.bytesSent,
      skipped: this.skipped,
      slowDisconnects: this.slowDisconnects,
      heartbeatDisconnects: this.heartbeatDisconnects,
      broadcasts: this.broadcasts,
      bufferedBytes,
      maxClientBufferedBytes,
    };
  }

  /** Closes every client with 1001 "going away" so pages reconnect to the restarted agent. */
  closeAll(): void {
    for (const client of this.clients) {
      try {
        client.socket.close(1001, 'agent stopping');
      } catch {
        client.socket.terminate();
      }
    }
    this.clients.clear();
  }
}
