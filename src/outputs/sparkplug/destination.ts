/**
 * What a Sparkplug B edge node adds to the generic spooled-output runner (src/outputs/runner.ts):
 * store and forward. Core events are published live as they happen (DDATA, DDEATH, DBIRTH of the
 * station devices, session.ts), at QoS 0 through the current connection's pipe, while the node is
 * born; the runner reads the same events from the spool behind them and sends those the host did
 * not get live (the node was not born) as is_historical DDATA, at the history rate, after the
 * births. Live data never waits behind stored data. On each connection it first
 * subscribes to NCMD and DCMD (QoS 1) and, once the broker confirms, publishes NBIRTH and the
 * DBIRTHs before any data (tck-id-topics-nbirth-mqtt, tck-id-operational-behavior-edge-node-
 * birth-sequence). An NCMD `Node Control/Rebirth = true` sends the births again on the same
 * connection, with the same bdSeq.
 */
import type { MqttClient } from 'mqtt';
import type { CoreEvent } from '../../core/events.js';
import type { Sample } from '../../core/sample.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { PublishFailedError, PublishPipe, type OutMessage } from '../mqtt/publish-pipe.js';
import type { BatchDestination, DeliveryFailure } from '../runner-contract.js';
import type { Spool, SpoolKind, SpoolRow } from '../spool/index.js';
import { decodePayload } from './payload.js';
import type { PrimaryHostWatch } from './primary-host.js';
import {
  REBIRTH_METRIC,
  type EdgeNodeSession,
  type NodeStatus,
  type ReplayedChange,
  type SparkplugMessage,
} from './session.js';

export const SESSION_CHECKPOINT = 'sparkplug.session';

class NotConnectedError extends Error {}

/** A spooled event or condition sample, and whether the host got it live (then it is not sent again). */
export interface SpooledEvent {
  readonly event?: CoreEvent;
  readonly sample?: Sample;
  readonly live: boolean;
  /** What it changed in the replay, worked out once (a retried batch must not replay it twice). */
  changes?: readonly ReplayedChange[];
}

/** How a condition sample is known in the spool and live (samples have no id). */
function sampleKey(s: Sample): string {
  return `${s.tag}@${s.ts}`;
}

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
  /** With a primary host: births wait for its STATE online; its offline ends the session. */
  readonly primaryHost?: PrimaryHostWatch;
  /**
   * Ends the connection because of the primary host; with `walk`, the next attempt goes to the
   * next server of the list (when there is more than one).
   */
  readonly leave: (reason: string) => void;
  /** More than one server: a host that is offline (or silent) here is looked for on the next. */
  readonly canWalk: boolean;
  /** How long to wait for the host's online STATE before trying the next server, ms. */
  readonly stateWaitMs?: number;
}

/** One connection: its pipe, and whether the node is born on it (data may follow). */
interface Link {
  readonly pipe: PublishPipe;
  born: boolean;
  /** Waiting for the primary host's online STATE before walking to the next server. */
  stateTimer?: NodeJS.Timeout;
  readonly ready: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

function newLink(pipe: PublishPipe): Link {
  let resolve: () => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  ready.catch(() => undefined);
  return { pipe, born: false, ready, resolve, reject };
}

export class SparkplugDestination implements BatchDestination<SpooledEvent> {
  readonly name = 'sparkplug';
  /** Events, and samples too when stations have condition signals. */
  readonly kinds: readonly SpoolKind[] | undefined;
  private link: Link | undefined;
  private onReady: (() => void) | undefined;
  private lastSendLink: Link | undefined;
  /** Ids of events published live and not yet met in the spool. */
  private readonly deliveredLive = new Set<string>();

  constructor(private readonly o: SparkplugDestinationOptions) {
    this.kinds = o.session.watchesSamples ? undefined : ['event'];
  }

  /** Subscribes to commands (and the primary host's STATE), then births; batches wait for them. */
  connected(client: MqttClient): void {
    const link = newLink(new PublishPipe(client, { pubacks: 1, writes: this.o.writeMax }));
    this.link = link;
    const { session, primaryHost } = this.o;
    client.on('message', (topic, payload) => this.message(link, topic, payload));
    const topics = [session.topic('NCMD'), `${session.topic('DCMD')}/+`, ...(primaryHost ? [primaryHost.topic] : [])];
    client.subscribe(topics, { qos: 1 }, (err) => {
      if (err) {
        link.reject(new NotConnectedError(`subscribing to ${topics.join(', ')} failed: ${errorMessage(err)}`));
        this.o.dropConnection('subscribing to the Sparkplug commands failed');
        return;
      }
      if (this.link !== link) return;
      if (primaryHost === undefined) return this.birth(link);
      this.o.log.info({ topic: primaryHost.topic }, `waiting for primary host ${primaryHost.hostId} to be online`);
      // tck-id-operational-behavior-primary-application-state-with-multiple-servers-walk: a host
      // that never says online here may be online on another server.
      if (this.o.canWalk) {
        link.stateTimer = setTimeout(() => {
          if (this.link === link && !link.born)
            this.o.leave(`no online STATE from primary host ${primaryHost.hostId} within ${this.stateWaitMs / 1000} s`);
        }, this.stateWaitMs);
        link.stateTimer.unref();
      }
    });
  }

  private get stateWaitMs(): number {
    return this.o.stateWaitMs ?? 30_000;
  }

  disconnected(): void {
    const link = this.link;
    this.link = undefined;
    if (link?.stateTimer !== undefined) clearTimeout(link.stateTimer);
    const lost = new NotConnectedError('the connection to the broker was lost');
    link?.reject(lost);
    link?.pipe.abandon(lost);
  }

  /**
   * A core event as it happens: published at once when born (live data never waits behind
   * stored data), else only remembered for the next births; the spool keeps it either way.
   */
  liveEvent(event: CoreEvent): void {
    const link = this.link;
    const born = link?.born === true;
    const messages = this.o.session.apply(event, this.o.now(), born);
    if (!born || link === undefined) return;
    this.deliveredLive.add(event.id);
    if (messages.length > 0) this.publish(link.pipe, messages).catch(() => undefined);
  }

  /** A condition sample as it happens (only condition tags reach the edge node): as `liveEvent`. */
  liveSample(sample: Sample): void {
    if (!this.o.session.watches(sample.tag) || typeof sample.value !== 'number') return;
    const link = this.link;
    const born = link?.born === true;
    const messages = this.o.session.sample(sample.tag, sample.value, sample.ts, this.o.now(), born);
    if (!born || link === undefined) return;
    this.deliveredLive.add(sampleKey(sample));
    if (messages.length > 0) this.publish(link.pipe, messages).catch(() => undefined);
  }

  /** The node's figures: NDATA of what changed while born, else kept for the next NBIRTH. */
  nodeStatus(status: NodeStatus): void {
    const link = this.link;
    const born = link?.born === true;
    const messages = this.o.session.nodeData(status, this.o.now(), born);
    if (born && link !== undefined && messages.length > 0) this.publish(link.pipe, messages).catch(() => undefined);
  }

  /** Every event, in spool order: the ones the host got live are only replayed, the rest are stored data. */
  convert(row: SpoolRow): SpooledEvent | undefined {
    if (row.kind === 'event') return { event: row.event, live: this.deliveredLive.delete(row.event.id) };
    if (!this.o.session.watches(row.sample.tag) || typeof row.sample.value !== 'number') return undefined;
    return { sample: row.sample, live: this.deliveredLive.delete(sampleKey(row.sample)) };
  }

  async send(batch: readonly SpooledEvent[]): Promise<void> {
    // Events the host got live need no connection: they are only replayed (and released), so a
    // crash early in an outage does not send them again as history.
    let link: Link | undefined;
    if (batch.some((item) => !item.live)) {
      link = this.link;
      this.lastSendLink = link;
      if (link === undefined) throw new NotConnectedError('not connected to the broker');
      // Born on this connection (with a primary host: once it is online); a lost one rejects this.
      await link.ready;
      if (this.link !== link) throw new NotConnectedError('the connection to the broker was lost');
    }
    const now = this.o.now();
    const messages: SparkplugMessage[] = [];
    for (const item of batch) {
      item.changes ??= this.replay(item);
      if (!item.live) for (const change of item.changes) messages.push(this.o.session.historyMessage(change, now));
    }
    if (link === undefined || messages.length === 0) return;
    await this.publish(link.pipe, messages);
  }

  private replay(item: SpooledEvent): readonly ReplayedChange[] {
    if (item.event !== undefined) {
      const change = this.o.session.replay(item.event);
      return change === undefined ? [] : [change];
    }
    const s = item.sample;
    return s === undefined || typeof s.value !== 'number' ? [] : this.o.session.replaySample(s.tag, s.value, s.ts);
  }

  failure(err: unknown): DeliveryFailure {
    if (err instanceof NotConnectedError || err instanceof PublishFailedError)
      return { retryable: true, message: err.message, logged: true };
    return { retryable: true, message: `INTERNAL ${errorMessage(err)}` };
  }

  whileWaiting(_failure: DeliveryFailure, _delayMs: number, retryNow: () => void): () => void {
    this.onReady = retryNow;
    if (this.link?.born === true && this.link !== this.lastSendLink) retryNow();
    return () => {
      this.onReady = undefined;
    };
  }

  /** Connected and born (with a primary host: it is online). */
  isUp(): boolean {
    return this.o.isConnected() && this.link?.born === true;
  }

  close(): void {
    const stopped = new NotConnectedError('stopped');
    this.link?.reject(stopped);
    this.link?.pipe.abandon(stopped);
  }

  /** NBIRTH and the DBIRTHs, queued before any data of this connection. */
  private birth(link: Link): void {
    if (link.stateTimer !== undefined) clearTimeout(link.stateTimer);
    link.born = true;
    this.publish(link.pipe, this.o.session.births(this.o.bdSeq(), this.o.now())).catch(() => undefined);
    link.resolve();
    this.onReady?.();
  }

  private message(link: Link, topic: string, payload: Buffer): void {
    if (link !== this.link) return;
    const host = this.o.primaryHost;
    if (host !== undefined && topic === host.topic) this.hostState(link, host, payload);
    else if (topic === this.o.session.topic('NCMD')) this.command(link, topic, payload);
  }

  private hostState(link: Link, host: PrimaryHostWatch, payload: Buffer): void {
    const verdict = host.judge(payload);
    if (verdict.kind === 'ignore') {
      this.o.log.debug({ topic: host.topic, why: verdict.why }, 'ignored a STATE of the primary host');
    } else if (verdict.kind === 'online') {
      if (!link.born) {
        this.o.log.info(`primary host ${host.hostId} is online; birth`);
        this.birth(link);
      }
    } else if (link.born) {
      // tck-id-operational-behavior-edge-node-termination-host-offline(-reconnect): NDEATH (the
      // Will, as the connection ends without DISCONNECT), then a new session on the next server
      // of the list (the same one without a list) that waits for the host again.
      this.o.log.warn(`primary host ${host.hostId} went offline; ending this Sparkplug session`);
      this.o.leave(`primary host ${host.hostId} is offline`);
    } else if (this.o.canWalk) {
      this.o.leave(`primary host ${host.hostId} is offline on this server`);
    }
  }

  /** NCMD Node Control/Rebirth = true: births again, same connection, same bdSeq. */
  private command(link: Link, topic: string, payload: Buffer): void {
    try {
      const cmd = decodePayload(payload);
      if (cmd.metrics.some((m) => m.name === REBIRTH_METRIC && m.value === true)) {
        if (!link.born) return; // a first birth is on its way (or waits for the primary host)
        this.o.log.info('Sparkplug host asked for a rebirth');
        this.birth(link);
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
      await pipe.send(out, { delivered: () => undefined, refused: () => undefined });
    } catch (err) {
      if (err instanceof PublishFailedError) this.o.dropConnection(err.message);
      throw err;
    }
  }
}
