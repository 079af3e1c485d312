/**
 * The status and retained messages the publisher sends on every connect, before the backlog
 * (the broker may have restarted without them), and how many of them await their PUBACK. They
 * share the PUBACK window with the backlog, so the broker's receive maximum holds for all.
 */
import type { MqttClient } from 'mqtt';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { RetainedCache } from './retained-cache.js';

interface RepublishMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1 | 2;
}

export interface RepublishHooks {
  /** The PUBACK window is full (backlog and republished messages together). */
  windowFull(): boolean;
  /** The connection of `generation` is gone: its completions are ignored. */
  stale(generation: number): boolean;
  /** A republished message completed on the current connection. */
  completed(): void;
}

export class RepublishQueue {
  private queue: RepublishMessage[] = [];
  /** Republished messages awaiting PUBACK (outside the spool window). */
  inFlight = 0;

  constructor(private readonly log: Logger) {}

  /**
   * A new connection: status first, then the retained topics (the broker may have restarted
   * without them), then (the caller's) backlog; nothing of an older connection is in flight.
   */
  load(
    statusTopic: string,
    retained: RetainedCache,
    qos: { readonly event: 0 | 1 | 2; readonly sample: 0 | 1 | 2 },
  ): void {
    this.queue = [
      { topic: statusTopic, payload: 'online', qos: 1 },
      ...retained.entries().map((e) => ({
        topic: e.topic,
        payload: e.payload,
        qos: e.kind === 'event' ? qos.event : qos.sample,
      })),
    ];
    this.inFlight = 0;
  }

  /** Connection lost: nothing left to send or in flight. */
  clear(): void {
    this.queue = [];
    this.inFlight = 0;
  }

  /** Sends queued messages while the window allows; false when some wait. */
  send(client: MqttClient, generation: number, hooks: RepublishHooks): boolean {
    while (this.queue.length > 0) {
      if (hooks.windowFull()) return false;
      const message = this.queue.shift();
      if (message === undefined) break;
      const tracked = message.qos > 0;
      if (tracked) this.inFlight += 1;
      client.publish(message.topic, message.payload, { qos: message.qos, retain: true }, (err) => {
        if (hooks.stale(generation)) return;
        if (tracked) this.inFlight -= 1;
        if (err !== undefined && err !== null)
          this.log.warn({ topic: message.topic, err: errorMessage(err) }, 'republishing a retained message failed');
        hooks.completed();
      });
    }
    return true;
  }
}
