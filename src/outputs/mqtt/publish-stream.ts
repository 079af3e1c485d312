/**
 * Publishes a list of messages on one connection through a window (AckWindow): at most `pubacks`
 * QoS 1/2 messages await their PUBACK and `writes` QoS 0 messages their socket write, refilled
 * as completions arrive, so a batch of thousands streams without a round trip per message and
 * without exceeding the broker's receive maximum. Reports the completed prefix as it grows (the
 * spool releases those rows), and settles once every message completed: resolves with how many
 * the broker refused for good (MQTT 5 reason codes that a resend cannot change), rejects on the
 * first other publish error or when abandoned (the connection went away).
 */
import type { MqttClient } from 'mqtt';
import { AckWindow } from './ack-window.js';
import { isPermanentPublishRejection } from './connect-errors.js';

export interface OutMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
}

export interface StreamLimits {
  readonly pubacks: number;
  readonly writes: number;
}

export interface StreamHooks<M extends OutMessage> {
  /** The broker has `message` (PUBACK, or the socket write for QoS 0). */
  delivered(message: M): void;
  /** The broker refused `message` for good. */
  refused(message: M, err: Error): void;
  /** The first `count` messages completed. */
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

export class PublishStream<M extends OutMessage> {
  private readonly window = new AckWindow(0);
  /** Messages published so far; message i has window id i + 1. */
  private published = 0;
  private completedPrefix = 0;
  private refusedCount = 0;
  private settled = false;
  private pumpScheduled = false;
  private resolve: ((refused: number) => void) | undefined;
  private reject: ((err: Error) => void) | undefined;

  constructor(
    private readonly client: MqttClient,
    private readonly messages: readonly M[],
    private readonly limits: StreamLimits,
    private readonly hooks: StreamHooks<M>,
  ) {}

  /** Published and not yet completed. */
  get inFlight(): number {
    return this.settled ? 0 : this.window.inFlight;
  }

  run(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.messages.length === 0) this.settle();
      else this.pump();
    });
  }

  /** Gives up: nothing more is sent and late completions are ignored. */
  abandon(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject?.(err);
  }

  private pump(): void {
    while (!this.settled && this.published < this.messages.length) {
      const message = this.messages[this.published];
      if (message === undefined) break;
      const full =
        message.qos === 0
          ? this.window.awaitingWrite >= this.limits.writes
          : this.window.awaitingPuback >= this.limits.pubacks;
      if (full) return; // a completion pumps again
      const id = ++this.published;
      this.window.add(id, message.qos === 0 ? 'write' : 'puback');
      this.client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, (err) =>
        this.completed(id, message, err),
      );
    }
  }

  private completed(id: number, message: M, err: Error | undefined | null): void {
    if (this.settled) return;
    if (err !== undefined && err !== null) {
      if (!isPermanentPublishRejection(err)) {
        this.abandon(new PublishFailedError(message.topic, err));
        return;
      }
      this.refusedCount += 1;
      this.hooks.refused(message, err);
    } else {
      this.hooks.delivered(message);
    }
    this.window.completed(id);
    const prefix = this.window.releasable();
    if (prefix > this.completedPrefix) {
      this.completedPrefix = prefix;
      this.hooks.progress?.(prefix);
    }
    if (prefix >= this.messages.length) this.settle();
    else this.schedulePump();
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

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve?.(this.refusedCount);
  }
}
