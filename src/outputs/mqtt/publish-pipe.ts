/**
 * Publishes on one connection, through one window for everything sent on it: at most `pubacks`
 * QoS 1/2 messages await their PUBACK and `writes` QoS 0 messages their socket write, refilled as
 * completions arrive, so batches of thousands stream without a round trip per message and
 * without exceeding the broker's receive maximum. Batches queue in the order they were given and
 * are published in that order; the next is published while the broker still acknowledges the
 * last. Each batch reports its completed prefix as it grows (the spool releases those rows) and
 * settles once all its messages completed: resolves with how many the broker refused for good
 * (MQTT 5 reason codes a resend cannot change); every batch rejects on the first other publish
 * error or when the pipe is abandoned (the connection went away).
 */
import type { MqttClient } from 'mqtt';
import { AckWindow } from './ack-window.js';
import { isPermanentPublishRejection } from './connect-errors.js';

export interface OutMessage {
  readonly topic: string;
  readonly payload: string | Buffer;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
}

export interface PipeLimits {
  readonly pubacks: number;
  readonly writes: number;
}

export interface BatchHooks<M extends OutMessage> {
  /** The broker has `message` (PUBACK, or the socket write for QoS 0). */
  delivered(message: M): void;
  /** The broker refused `message` for good. */
  refused(message: M, err: Error): void;
  /** The first `count` messages of the batch completed. */
  progress?(count: number): void;
}

/** A publish failed in a way a resend on a new connection may fix. */
export class PublishFailedError extends Error {
  constructor(
    readonly topic: string,
    cause: Error,
  ) {
    super(`publish to ${topic} failed: ${cause.message}`, { cause });
  }
}

interface Batch {
  readonly messages: readonly OutMessage[];
  readonly hooks: BatchHooks<OutMessage>;
  /** Message i has id i + 1: the in-order completed prefix of the batch. */
  readonly window: AckWindow;
  published: number;
  prefix: number;
  refused: number;
  readonly resolve: (refused: number) => void;
  readonly reject: (err: Error) => void;
}

export class PublishPipe {
  /** Batches not yet settled, in the order given. */
  private batches: Batch[] = [];
  private awaitingPuback = 0;
  private awaitingWrite = 0;
  private abandoned = false;
  private pumpScheduled = false;

  constructor(
    private readonly client: MqttClient,
    private readonly limits: PipeLimits,
  ) {}

  /** Published and not yet completed. */
  get inFlight(): number {
    return this.awaitingPuback + this.awaitingWrite;
  }

  /** Queues a batch behind those given before; resolves with the count refused for good. */
  send<M extends OutMessage>(messages: readonly M[], hooks: BatchHooks<M>): Promise<number> {
    if (this.abandoned) return Promise.reject(new Error('the connection is gone'));
    if (messages.length === 0) return Promise.resolve(0);
    return new Promise<number>((resolve, reject) => {
      this.batches.push({
        messages,
        // A batch's hooks only ever see its own messages.
        hooks: hooks as unknown as BatchHooks<OutMessage>,
        window: new AckWindow(0),
        published: 0,
        prefix: 0,
        refused: 0,
        resolve,
        reject,
      });
      this.pump();
    });
  }

  /** Gives up: nothing more is sent, every batch rejects with `err`, late completions are ignored. */
  abandon(err: Error): void {
    if (this.abandoned) return;
    this.abandoned = true;
    const batches = this.batches;
    this.batches = [];
    for (const b of batches) b.reject(err);
  }

  private pump(): void {
    for (const batch of this.batches) {
      while (batch.published < batch.messages.length) {
        if (this.abandoned) return;
        const message = batch.messages[batch.published];
        if (message === undefined) break;
        if (message.qos === 0 ? this.awaitingWrite >= this.limits.writes : this.awaitingPuback >= this.limits.pubacks)
          return; // in order: a completion pumps again
        const id = ++batch.published;
        if (message.qos === 0) this.awaitingWrite++;
        else this.awaitingPuback++;
        this.client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, (err) =>
          this.completed(batch, id, message, err),
        );
      }
    }
  }

  private completed(batch: Batch, id: number, message: OutMessage, err: Error | undefined | null): void {
    if (this.abandoned) return;
    if (message.qos === 0) this.awaitingWrite--;
    else this.awaitingPuback--;
    if (err !== undefined && err !== null) {
      if (!isPermanentPublishRejection(err)) {
        this.abandon(new PublishFailedError(message.topic, err));
        return;
      }
      batch.refused++;
      batch.hooks.refused(message, err);
    } else {
      batch.hooks.delivered(message);
    }
    batch.window.completed(id);
    const prefix = batch.window.releasable();
    if (prefix > batch.prefix) {
      batch.prefix = prefix;
      batch.hooks.progress?.(prefix);
    }
    if (prefix >= batch.messages.length) {
      this.batches = this.batches.filter((b) => b !== batch);
      batch.resolve(batch.refused);
    }
    this.schedulePump();
  }

  /** One pump per turn of the event loop, however many completions arrived in it. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }
}
