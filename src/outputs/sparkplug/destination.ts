/**
 * What a Sparkplug B edge node adds to the generic spooled-output runner (src/outputs/runner.ts):
 * core events from the spool become DDATA, DDEATH and DBIRTH of the station devices (session.ts),
 * published at QoS 0 through the current connection's pipe. On each connection it first
 * subscribes to NCMD and DCMD (QoS 1) and, once the broker confirms, publishes NBIRTH and the
 * DBIRTHs before any data (tck-id-topics-nbirth-mqtt, tck-id-operational-behavior-edge-node-
 * birth-sequence). An NCMD `Node Control/Rebirth = true` sends the births again on the same
 * connection, with the same bdSeq.
 */
import type { MqttClient } from 'mqtt';
import type { CoreEvent } from '../../core/events.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { PublishFailedError, PublishPipe, type OutMessage } from '../mqtt/publish-pipe.js';
import type { BatchDestination, DeliveryFailure } from '../runner-contract.js';
import type { Spool, SpoolKind, SpoolRow } from '../spool/index.js';
import { decodePayload } from './payload.js';
import { REBIRTH_METRIC, type EdgeNodeSession, type SparkplugMessage } from './session.js';

export const SESSION_CHECKPOINT = 'sparkplug.session';

class NotConnectedError extends Error {}

export interface SparkplugDestinationOptions {
  readonly session: EdgeNodeSession;
  readonly spool: Spool;
  /** The bdSeq of the current connection's CONNECT. */
  readonly bdSeq: () => number;
  /** Wall ms, for payload timestamps. */
  readonly now: () => number;
  readonly writeMax: number;
  readonly log: Logger;
  readonly dropConnection: (reason: string) => void;
  readonly isConnected: () => boolean;
}

export class SparkplugDestination implements BatchDestination<CoreEvent> {
  readonly name = 'sparkplug';
  readonly kinds: readonly SpoolKind[] = ['event'];
  private pipe: PublishPipe | undefined;
  /** Births of the current connection are queued: data may follow. */
  private ready: Promise<void> = Promise.resolve();
  private onConnected: (() => void) | undefined;
  private lastSendPipe: PublishPipe | undefined;
  births = 0;
  published = 0;

  constructor(private readonly o: SparkplugDestinationOptions) {}

  /** Subscribes to commands, then births; batches wait for both. */
  connected(client: MqttClient): void {
    const pipe = new PublishPipe(client, { pubacks: 1, writes: this.o.writeMax });
    this.pipe = pipe;
    const { session } = this.o;
    client.on('message', (topic, payload) => this.command(pipe, topic, payload));
    this.ready = new Promise<void>((resolve, reject) => {
      client.subscribe([session.topic('NCMD'), `${session.topic('DCMD')}/+`], { qos: 1 }, (err) => {
        if (err) {
          reject(new NotConnectedError(`subscribing to NCMD/DCMD failed: ${errorMessage(err)}`));
          this.o.dropConnection('subscribing to Sparkplug commands failed');
          return;
        }
        if (this.pipe !== pipe) return reject(new NotConnectedError('the connection to the broker was lost'));
        this.birth(pipe);
        resolve();
      });
    });
    this.ready.catch(() => undefined);
    this.onConnected?.();
  }

  disconnected(): void {
    this.pipe?.abandon(new NotConnectedError('the connection to the broker was lost'));
    this.pipe = undefined;
  }

  convert(row: SpoolRow): CoreEvent | undefined {
    return row.kind === 'event' ? row.event : undefined;
  }

  async send(batch: readonly CoreEvent[]): Promise<void> {
    const pipe = this.pipe;
    this.lastSendPipe = pipe;
    if (pipe === undefined) throw new NotConnectedError('not connected to the broker');
    await this.ready;
    if (pipe !== this.pipe) throw new NotConnectedError('the connection to the broker was lost');
    const now = this.o.now();
    const messages = batch.flatMap((event) => this.o.session.apply(event, now));
    try {
      await this.publish(pipe, messages);
    } finally {
      this.o.spool.setCheckpoint(SESSION_CHECKPOINT, this.o.session.state());
    }
  }

  failure(err: unknown): DeliveryFailure {
    if (err instanceof NotConnectedError || err instanceof PublishFailedError)
      return { retryable: true, message: err.message, logged: true };
    return { retryable: true, message: `INTERNAL ${errorMessage(err)}` };
  }

  whileWaiting(_failure: DeliveryFailure, _delayMs: number, retryNow: () => void): () => void {
    this.onConnected = retryNow;
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

  private birth(pipe: PublishPipe): void {
    this.births++;
    this.publish(pipe, this.o.session.births(this.o.bdSeq(), this.o.now())).catch(() => undefined);
  }

  /** NCMD Node Control/Rebirth = true: births again, same connection, same bdSeq. */
  private command(pipe: PublishPipe, topic: string, payload: Buffer): void {
    if (topic !== this.o.session.topic('NCMD') || pipe !== this.pipe) return;
    try {
      const cmd = decodePayload(payload);
      if (cmd.metrics.some((m) => m.name === REBIRTH_METRIC && m.value === true)) {
        this.o.log.info('Sparkplug host asked for a rebirth');
        this.birth(pipe);
      }
    } catch (err) {
      this.o.log.warn({ topic, err: errorMessage(err) }, 'ignored an NCMD that is not a Sparkplug payload');
    }
  }

  private async publish(pipe: PublishPipe, messages: readonly SparkplugMessage[]): Promise<void> {
    const out: OutMessage[] = messages.map((m) => ({
      topic: m.topic,
      payload: Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength),
      qos: 0,
      retain: false,
    }));
    try {
      await pipe.send(out, { delivered: () => this.published++, refused: () => undefined });
    } catch (err) {
      if (err instanceof PublishFailedError) this.o.dropConnection(err.message);
      throw err;
    }
  }
}
