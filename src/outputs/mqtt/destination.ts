/**
 * What MQTT adds to the generic spooled-output runner (src/outputs/runner.ts): a spool row
 * becomes a Unified Namespace message (report by exception for tag values), batches stream
 * through the PUBACK window of the current connection (publish-pipe.ts), and every new
 * connection first gets the status "online" and the retained topics (the broker may have
 * restarted without them), before any batch. While the runner backs off, the connection coming
 * back ends the wait.
 */
import type { MqttClient } from 'mqtt';
import type { LinesideConfig } from '../../config/schema.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { RateMeter } from '../../lib/rate-meter.js';
import type { BatchDestination, DeliveryFailure, Progress, SendResult } from '../runner-contract.js';
import type { SpoolKind, SpoolRow } from '../spool/index.js';
import { PublishFailedError, PublishPipe, type BatchHooks, type OutMessage } from './publish-pipe.js';
import type { RetainedCache } from './retained-cache.js';
import { RowMessages } from './row-message.js';
import { SentValues } from './sent-values.js';
import type { TopicNames } from './topics.js';

/** A message from a spool row. */
export interface RowOut extends OutMessage {
  readonly payload: string;
  readonly id: number;
  readonly kind: 'event' | 'sample';
  /** For a tag value: the tag and the JSON of its value (report by exception). */
  readonly tag?: string;
  readonly valueKey?: string;
}

class NotConnectedError extends Error {}

/** Tag values go through the spool only at QoS 1: at-least-once, in order, across outages. */
export function spoolsTagValues(mqtt: LinesideConfig['mqtt']): boolean {
  return mqtt.samples.publish && mqtt.samples.qos === 1;
}

export interface MqttDestinationOptions {
  readonly name: string;
  readonly mqtt: LinesideConfig['mqtt'];
  readonly names: TopicNames;
  readonly statusTopic: string;
  readonly retained: RetainedCache;
  /** QoS 1/2 messages awaiting PUBACK at most (less if the broker's receive maximum is lower). */
  readonly inflightMax: number;
  /** QoS 0 messages awaiting their socket write at most. */
  readonly writeMax: number;
  readonly now: () => number;
  readonly log: Logger;
  /** Drops the connection after a publish error, so the batch is resent on a new one. */
  readonly dropConnection: (reason: string) => void;
  readonly isConnected: () => boolean;
}

export class MqttDestination implements BatchDestination<RowOut> {
  readonly name: string;
  readonly kinds: readonly SpoolKind[] | undefined;
  private readonly messages: RowMessages;
  private readonly sentValues = new SentValues();
  private readonly meter = new RateMeter();
  /** The current connection's pipe; undefined while disconnected. */
  private pipe: PublishPipe | undefined;
  private onConnected: (() => void) | undefined;
  /** The pipe the last send was given (undefined: there was none). */
  private lastSendPipe: PublishPipe | undefined;
  published = 0;
  rejected = 0;

  constructor(private readonly o: MqttDestinationOptions) {
    this.name = o.name;
    // QoS 0 tag values are published live (live-tag-values.ts), not from the spool.
    this.kinds = spoolsTagValues(o.mqtt) ? undefined : ['event'];
    this.messages = new RowMessages(o.names, o.mqtt);
  }

  /** Published, not yet acknowledged (batches and the republished messages). */
  get inFlight(): number {
    return this.pipe?.inFlight ?? 0;
  }

  publishedPerSecond(): number {
    return this.meter.perSecond(this.o.now());
  }

  /** A new connection: status and retained topics go first, batches queue behind them. */
  connected(client: MqttClient, receiveMaximum: number | undefined): void {
    const pubacks = Math.max(1, Math.min(this.o.inflightMax, receiveMaximum ?? Number.POSITIVE_INFINITY));
    const pipe = new PublishPipe(client, { pubacks, writes: this.o.writeMax });
    this.pipe = pipe;
    this.sentValues.reconnected();
    const qos = (kind: 'event' | 'sample') => (kind === 'event' ? this.o.mqtt.eventQos : this.o.mqtt.samples.qos);
    const messages: OutMessage[] = [
      { topic: this.o.statusTopic, payload: 'online', qos: 1, retain: true },
      ...this.o.retained.entries().map((e) => ({ topic: e.topic, payload: e.payload, qos: qos(e.kind), retain: true })),
    ];
    // A failure here fails the batches behind it too, and the connection is dropped.
    pipe
      .send(messages, {
        delivered: () => undefined,
        refused: (m, err) =>
          this.o.log.warn({ topic: m.topic, err: errorMessage(err) }, 'republishing a retained message failed'),
      })
      .catch((err: unknown) => {
        if (err instanceof PublishFailedError) this.o.dropConnection(err.message);
      });
    this.onConnected?.();
  }

  /** The connection is gone: nothing sent on it will be acknowledged. */
  disconnected(): void {
    this.pipe?.abandon(new NotConnectedError('the connection to the broker was lost'));
    this.pipe = undefined;
  }

  convert(row: SpoolRow): RowOut | undefined {
    const { topic, payload, qos, retain } = this.messages.message(row);
    if (row.kind === 'event') return { topic, payload, qos, retain, id: row.id, kind: 'event' };
    // Report by exception: an unchanged value is not sent again (it is retained already).
    const { tag, value } = row.sample;
    if (this.sentValues.unchanged(tag, value)) return undefined;
    const valueKey = this.sentValues.sending(tag, value);
    return { topic, payload, qos, retain, id: row.id, kind: 'sample', tag, valueKey };
  }

  async send(batch: readonly RowOut[], progress: Progress): Promise<SendResult> {
    const pipe = this.pipe;
    this.lastSendPipe = pipe;
    if (pipe === undefined) throw new NotConnectedError('not connected to the broker');
    const hooks: BatchHooks<RowOut> = {
      delivered: (m) => this.delivered(m),
      refused: (m, err) => {
        this.rejected += 1;
        this.o.log.error(
          { topic: m.topic, spoolId: m.id, err: errorMessage(err) },
          `broker rejected a message on ${m.topic} for good (${errorMessage(err)}); counted as rejected, check the broker ACL`,
        );
      },
      progress,
    };
    try {
      return { refused: await pipe.send(batch, hooks) };
    } catch (err) {
      if (err instanceof PublishFailedError) this.o.dropConnection(err.message);
      throw err;
    }
  }

  /** Connection trouble is retried on the next connection; the connection has logged it. */
  failure(err: unknown): DeliveryFailure {
    if (err instanceof NotConnectedError || err instanceof PublishFailedError)
      return { retryable: true, message: err.message, logged: true };
    return { retryable: true, message: `INTERNAL ${errorMessage(err)}` };
  }

  whileWaiting(_failure: DeliveryFailure, _delayMs: number, retryNow: () => void): () => void {
    this.onConnected = retryNow;
    // A new connection came up since the send failed: go at once.
    if (this.pipe !== undefined && this.pipe !== this.lastSendPipe) retryNow();
    return () => {
      this.onConnected = undefined;
    };
  }

  isUp(): boolean {
    return this.o.isConnected();
  }

  close(): void {
    this.pipe?.abandon(new NotConnectedError('stopped'));
  }

  private delivered(m: RowOut): void {
    this.published += 1;
    this.meter.add(this.o.now());
    if (m.retain) this.o.retained.confirm(m.topic, m.payload, m.id, m.kind);
    if (m.tag !== undefined && m.valueKey !== undefined) this.sentValues.confirm(m.tag, m.valueKey);
  }
}
