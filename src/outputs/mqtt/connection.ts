/**
 * One broker connection at a time, re-established with our own capped exponential backoff.
 *
 * Every attempt uses a fresh mqtt.js client (`reconnectPeriod: 0`). Why not `client.reconnect()`:
 * mqtt.js would resend its own in-memory copies of unacknowledged QoS 1 messages on reconnect,
 * while the publisher resends from the spool cursor anyway; one source of truth (the spool) means
 * one resend, in order. Handlers are attached once per client; events of a retired client are
 * ignored by generation, and its 'error' listener stays so nothing becomes an unhandled 'error'.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { errorMessage, type LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Clock } from '../../core/sample.js';
import { Backoff } from '../../lib/backoff.js';
import {
  buildClientOptions,
  redactUrl,
  type ConnectionTarget,
  type MqttConnectionConfig,
  type readTlsFiles,
} from './client-options.js';
import { classifyConnectError } from './connect-errors.js';

/** A connection that stayed up this long resets the backoff to its minimum. */
const STABLE_AFTER_MS = 10_000;

export interface ConnectionEvents {
  /**
   * CONNACK accepted; `generation` identifies this connection in later callbacks.
   * `receiveMaximum`: the broker's limit of unacknowledged QoS 1/2 messages (MQTT 5), if it set one.
   */
  onUp(client: MqttClient, generation: number, receiveMaximum: number | undefined): void;
  /** The connection is gone (or never came up); nothing sent on it will be acknowledged. */
  onDown(): void;
  /**
   * An attempt ended before the broker accepted it; `connectSent` is false when the broker was
   * never reached (refused, unreachable, unknown host), so no CONNECT went out.
   */
  onAttemptFailed?(connectSent: boolean): void;
}

/** Errors of the transport that mean the CONNECT packet never left this machine. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

export interface ConnectionStatus {
  readonly connected: boolean;
  readonly connectedSinceWall?: number;
  /** Connection attempts, successful or not. */
  readonly attempts: number;
  readonly connects: number;
  readonly connectionLosses: number;
  readonly nextAttemptInMs?: number;
  readonly lastError?: LinesideError;
  readonly lastErrorAt?: number;
}

export class BrokerConnection {
  private client: MqttClient | null = null;
  private generation = 0;
  private connected = false;
  private upSinceMono = 0;
  private upSinceWall: number | undefined;
  private attempts = 0;
  private connects = 0;
  private losses = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAtMono: number | undefined;
  private lastError: LinesideError | undefined;
  private lastErrorAt: number | undefined;
  /** The transport error code (ECONNREFUSED, ...) of the current attempt, if it had one. */
  private attemptErrno: string | undefined;
  private stopped = false;
  private readonly backoff: Backoff;
  broker: string;

  constructor(
    private readonly mqttConfig: MqttConnectionConfig,
    private target: ConnectionTarget,
    private readonly tlsFiles: ReturnType<typeof readTlsFiles>,
    private readonly events: ConnectionEvents,
    private readonly clock: Clock,
    private readonly log: Logger,
    random?: () => number,
  ) {
    this.backoff = new Backoff(
      { initialMs: mqttConfig.reconnectMin, maxMs: Math.max(mqttConfig.reconnectMin, mqttConfig.reconnectMax) },
      random,
    );
    this.broker = redactUrl(target.url);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** Dials now; later attempts follow the backoff. */
  start(): void {
    this.stopped = false;
    this.attempt();
  }

  private attempt(): void {
    this.retryTimer = undefined;
    this.retryAtMono = undefined;
    if (this.stopped) return;
    const generation = ++this.generation;
    this.attempts += 1;
    this.attemptErrno = undefined;
    let client: MqttClient;
    try {
      client = mqtt.connect(this.target.url, buildClientOptions(this.mqttConfig, this.target, this.tlsFiles));
    } catch (err) {
      this.noteError(
        classifyConnectError(err, {
          broker: this.broker,
          clientId: this.target.clientId,
          protocolVersion: this.target.protocolVersion,
        }),
      );
      this.events.onAttemptFailed?.(false);
      this.scheduleRetry();
      return;
    }
    this.client = client;
    const current = () => generation === this.generation && !this.stopped;
    let closed = false;
    client.on('connect', (connack) => {
      if (!current()) return;
      this.connected = true;
      this.connects += 1;
      this.upSinceMono = this.clock.monoMs();
      this.upSinceWall = this.clock.wallMs();
      if (this.lastError !== undefined)
        this.log.info({ broker: this.broker }, `connected to MQTT broker ${this.broker} again`);
      else
        this.log.info(
          { broker: this.broker, clientId: this.target.clientId, protocolVersion: this.target.protocolVersion },
          `connected to MQTT broker ${this.broker}`,
        );
      this.lastError = undefined;
      this.lastErrorAt = undefined;
      // mqtt.js does not enforce the broker's receive maximum on what we send; the publisher does.
      this.events.onUp(client, generation, connack.properties?.receiveMaximum);
    });
    client.on('error', (err) => {
      if (!current()) return;
      const sysCode = (err as { code?: unknown }).code;
      if (typeof sysCode === 'string') this.attemptErrno = sysCode;
      this.noteError(
        classifyConnectError(err, {
          broker: this.broker,
          ...(this.mqttConfig.username === undefined ? {} : { user: this.mqttConfig.username }),
          clientId: this.target.clientId,
          protocolVersion: this.target.protocolVersion,
        }),
      );
    });
    client.on('disconnect', (packet) => {
      // MQTT 5 brokers say why they drop us (session taken over, shutting down, ...).
      if (current())
        this.log.warn({ broker: this.broker, reasonCode: packet.reasonCode }, 'MQTT broker sent DISCONNECT');
    });
    client.on('close', () => {
      if (closed || !current()) return;
      closed = true;
      this.onClosed(client);
    });
  }

  private onClosed(client: MqttClient): void {
    const wasUp = this.connected;
    this.connected = false;
    this.upSinceWall = undefined;
    this.client = null;
    client.end(true); // stops mqtt.js timers; its stores are dropped with the client
    if (wasUp) {
      this.losses += 1;
      if (this.clock.monoMs() - this.upSinceMono >= STABLE_AFTER_MS) this.backoff.reset();
      this.log.warn(
        { broker: this.broker },
        `lost the connection to MQTT broker ${this.broker}; ${this.target.whileDown ?? 'events keep spooling'}`,
      );
      this.events.onDown();
    } else {
      const errno = this.attemptErrno;
      this.events.onAttemptFailed?.(!(errno !== undefined && NOT_SENT.has(errno)));
    }
    if (!wasUp && this.lastError === undefined) {
      this.noteError(
        classifyConnectError(new Error('connection closed before the broker accepted it'), {
          broker: this.broker,
          clientId: this.target.clientId,
          protocolVersion: this.target.protocolVersion,
        }),
      );
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const delayMs = this.backoff.next();
    this.retryAtMono = this.clock.monoMs() + delayMs;
    this.retryTimer = setTimeout(() => this.attempt(), delayMs);
  }

  /** Logs an error only when it differs from the last one: an outage is one line, not one per retry. */
  private noteError(err: LinesideError): void {
    const changed = this.lastError?.toString() !== err.toString();
    this.lastError = err;
    this.lastErrorAt = this.clock.wallMs();
    if (!changed) return;
    const fields = { err: { code: err.code, ...err.context } };
    if (err.code === 'MQTT_AUTH') this.log.error(fields, err.toString());
    else this.log.warn(fields, err.toString());
  }

  /**
   * The next attempts dial this target instead (a Sparkplug edge node walking its server list);
   * the current connection, if any, is left to the caller to drop.
   */
  retarget(target: ConnectionTarget): void {
    this.target = target;
    this.broker = redactUrl(target.url);
  }

  /** Drops the current connection (e.g. after a publish error that a resend may fix). */
  drop(reason: string): void {
    const client = this.client;
    if (client === null) return;
    this.log.warn({ broker: this.broker, reason }, 'dropping the MQTT connection to resend from the spool');
    client.end(true);
  }

  status(): ConnectionStatus {
    return {
      connected: this.connected,
      ...(this.upSinceWall === undefined ? {} : { connectedSinceWall: this.upSinceWall }),
      attempts: this.attempts,
      connects: this.connects,
      connectionLosses: this.losses,
      ...(this.retryAtMono === undefined
        ? {}
        : { nextAttemptInMs: Math.max(0, this.retryAtMono - this.clock.monoMs()) }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.lastErrorAt === undefined ? {} : { lastErrorAt: this.lastErrorAt }),
    };
  }

  /**
   * Stops for good. With a live connection, `beforeDisconnect` runs first (publish "offline")
   * and may take up to `graceMs`; then a clean DISCONNECT, so the broker discards the will.
   */
  async stop(
    beforeDisconnect: (client: MqttClient) => Promise<void>,
    graceMs: number,
    /** MQTT 5 DISCONNECT reason code (4: "disconnect with Will Message"); 0 by default. */
    reasonCode?: number,
  ): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAtMono = undefined;
    const client = this.client;
    this.client = null;
    this.generation += 1; // late callbacks of this client are ignored from now on
    if (client === null) return;
    const wasUp = this.connected;
    this.connected = false;
    if (wasUp) {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([
        beforeDisconnect(client).catch((err: unknown) =>
          this.log.warn({ err: errorMessage(err) }, 'publishing offline status failed'),
        ),
        timeout,
      ]);
      const disconnect = reasonCode === undefined ? {} : { reasonCode };
      await Promise.race([new Promise<void>((resolve) => client.end(false, disconnect, () => resolve())), timeout]);
    }
    client.end(true);
  }
}
