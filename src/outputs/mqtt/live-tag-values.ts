/**
 * Raw tag values at QoS 0 (`mqtt.samples.qos: 0`, the default), published live from the sources'
 * samples instead of through the spool. QoS 0 promises nothing across an outage, so writing every
 * value to SQLite, reading it back and deleting it bought nothing a consumer could rely on, and
 * cost more CPU than everything else on a 2,000 values/s job (docs/resources.md).
 *
 * What a subscriber gets:
 * - By exception: a value equal to the last one written on this connection is not sent again.
 * - Newest wins under pressure: while the socket is behind (its buffer full) or the broker is
 *   unreachable, only the newest value of each tag is kept, and it goes out as soon as the socket
 *   drains, so a slow link never queues stale values.
 * - Current after a reconnect: every tag's newest value is published again (retained) on each new
 *   connection, so a broker that restarted without persistence is current at once.
 * The values that arrive in one turn of the event loop (a poll's) leave as one socket write of
 * PUBLISH packets (qos0-packets.ts), after whatever mqtt.js wrote before them.
 * QoS 1 (`samples.qos: 1`) keeps every value spooled, in order, at least once (destination.ts).
 */
import type { MqttClient } from 'mqtt';
import type { Sample } from '../../core/sample.js';
import { RateMeter } from '../../lib/rate-meter.js';
import { samplePayload } from './payloads.js';
import { encodeQos0Publishes, type Qos0Publish } from './qos0-packets.js';
import { sampleTopic, type TopicNames } from './topics.js';

export interface LiveTagValuesOptions {
  readonly names: TopicNames;
  readonly now: () => number;
}

/** A value as it is compared for report by exception: primitives by value. */
type ValueKey = number | boolean | string | null;

/** Bytes handed to the socket in one write at most (the rest goes in the next turn). */
const MAX_WRITE_BYTES = 256 * 1024;

export class LiveTagValues {
  /** Newest sample of every tag seen. */
  private readonly newest = new Map<string, Sample>();
  /** Tags whose newest value the current connection has not been given yet, in arrival order. */
  private readonly pending = new Set<string>();
  /** What the current connection was last given, per tag. */
  private written = new Map<string, ValueKey>();
  private readonly topics = new Map<string, Buffer>();
  private readonly meter = new RateMeter();
  private client: MqttClient | undefined;
  /** Bumped per connection: a late callback of an old one is ignored. */
  private generation = 0;
  private flushScheduled = false;
  private waitingForDrain = false;
  published = 0;

  constructor(private readonly o: LiveTagValuesOptions) {}

  /** Values waiting for the socket. */
  get inFlight(): number {
    return this.client === undefined ? 0 : this.pending.size;
  }

  publishedPerSecond(): number {
    return this.meter.perSecond(this.o.now());
  }

  /** A sample from a source. */
  sample(s: Sample): void {
    this.newest.set(s.tag, s);
    if (this.written.get(s.tag) === keyOf(s.value)) {
      // Back to the value the broker already has: an older pending one must not go out after all.
      this.pending.delete(s.tag);
      return;
    }
    this.pending.add(s.tag);
    this.scheduleFlush();
  }

  /** A new connection: it gets every tag's newest value. */
  connected(client: MqttClient): void {
    this.client = client;
    this.generation += 1;
    this.waitingForDrain = false;
    this.written = new Map();
    this.pending.clear();
    for (const tag of this.newest.keys()) this.pending.add(tag);
    this.scheduleFlush();
  }

  disconnected(): void {
    this.client = undefined;
    this.generation += 1;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.waitingForDrain || this.client === undefined) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const client = this.client;
    if (client === undefined || this.waitingForDrain || this.pending.size === 0) return;
    const stream = client.stream;
    if (stream.destroyed || !stream.writable) return; // the connection is going; the next one gets everything
    const batch: Qos0Publish[] = [];
    let bytes = 0;
    for (const tag of this.pending) {
      if (bytes >= MAX_WRITE_BYTES) break;
      this.pending.delete(tag);
      const s = this.newest.get(tag);
      if (s === undefined) continue;
      this.written.set(tag, keyOf(s.value));
      const message = { topic: this.topic(tag), payload: samplePayload(s) };
      bytes += message.topic.length + message.payload.length + 8;
      batch.push(message);
    }
    const packets = encodeQos0Publishes(batch, { retain: true, protocolVersion: client.options.protocolVersion ?? 4 });
    const generation = this.generation;
    const more = stream.write(packets, (err?: Error | null) => {
      if (err || generation !== this.generation) return; // the next connection gets the newest values
      this.published += batch.length;
      this.meter.add(this.o.now(), batch.length);
    });
    if (!more) {
      // The socket is behind: values keep collapsing to the newest per tag until it drains.
      this.waitingForDrain = true;
      stream.once('drain', () => {
        if (generation !== this.generation) return;
        this.waitingForDrain = false;
        this.scheduleFlush();
      });
    } else if (this.pending.size > 0) {
      this.scheduleFlush();
    }
  }

  private topic(tag: string): Buffer {
    let topic = this.topics.get(tag);
    if (topic === undefined) {
      topic = Buffer.from(sampleTopic(this.o.names, tag), 'utf8');
      this.topics.set(tag, topic);
    }
    return topic;
  }
}

/** JSON has no NaN or Infinity: a non-finite number is published (samplePayload) and compared as null. */
function keyOf(value: Sample['value']): ValueKey {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
