/**
 * Raw tag values at QoS 0 (`mqtt.samples.qos: 0`, the default), published live from the sources'
 * samples instead of through the spool. QoS 0 promises nothing across an outage, so writing every
 * value to SQLite, reading it back and deleting it bought nothing a consumer could rely on, and
 * cost more CPU than everything else on a 2,000 values/s job (docs/resources.md).
 *
 * What a subscriber gets instead:
 * - By exception: a value equal to the last one written on this connection is not sent again.
 * - Newest wins under pressure: when the socket is behind (`writeMax` writes waiting) or the broker
 *   is unreachable, only the newest value of each tag is kept, and it is published as soon as the
 *   socket takes it, so a slow link never queues stale values.
 * - Current after a reconnect: every tag's newest value is published again (retained) on each
 *   new connection, so a broker that restarted without persistence is current at once.
 * QoS 1 (`samples.qos: 1`) keeps every value spooled, in order, at least once (destination.ts).
 */
import type { MqttClient } from 'mqtt';
import type { Sample } from '../../core/sample.js';
import { RateMeter } from '../../lib/rate-meter.js';
import { isoTime } from './payloads.js';
import { sampleTopic, type TopicNames } from './topics.js';

export interface LiveTagValuesOptions {
  readonly names: TopicNames;
  /** QoS 0 messages awaiting their socket write at most. */
  readonly writeMax: number;
  readonly now: () => number;
}

/** A value as it is compared for report by exception: primitives by value. */
type ValueKey = number | boolean | string | null;

export class LiveTagValues {
  /** Newest sample of every tag seen. */
  private readonly newest = new Map<string, Sample>();
  /** Tags whose newest value the current connection has not been given yet, in arrival order. */
  private readonly pending = new Set<string>();
  /** What the current connection was last given, per tag. */
  private written = new Map<string, ValueKey>();
  private readonly topics = new Map<string, string>();
  private readonly meter = new RateMeter();
  private client: MqttClient | undefined;
  private writing = 0;
  /** Bumped per connection: a late write callback of an old one is ignored. */
  private generation = 0;
  private lastTs = Number.NaN;
  /** `ts` of the last payload as JSON (a quoted ISO time, or null). */
  private lastTsJson = 'null';
  published = 0;

  constructor(private readonly o: LiveTagValuesOptions) {}

  get inFlight(): number {
    return this.writing;
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
    if (this.client === undefined || this.writing >= this.o.writeMax || this.pending.size > 0) {
      this.pending.add(s.tag);
      if (this.client !== undefined) this.flush();
      return;
    }
    this.write(this.client, s);
  }

  /** A new connection: it gets every tag's newest value. */
  connected(client: MqttClient): void {
    this.client = client;
    this.generation += 1;
    this.writing = 0;
    this.written = new Map();
    this.pending.clear();
    for (const tag of this.newest.keys()) this.pending.add(tag);
    this.flush();
  }

  disconnected(): void {
    this.client = undefined;
  }

  private flush(): void {
    const client = this.client;
    if (client === undefined) return;
    for (const tag of this.pending) {
      if (this.writing >= this.o.writeMax) return;
      this.pending.delete(tag);
      const s = this.newest.get(tag);
      if (s !== undefined) this.write(client, s);
    }
  }

  private write(client: MqttClient, s: Sample): void {
    this.written.set(s.tag, keyOf(s.value));
    this.writing += 1;
    const generation = this.generation;
    client.publish(this.topic(s.tag), this.payload(s), { qos: 0, retain: true }, (err) => {
      if (generation !== this.generation) return;
      this.writing -= 1;
      if (err) {
        // Not written: the connection is going away; the next one gets the newest value anyway.
        this.written.delete(s.tag);
        return;
      }
      this.published += 1;
      this.meter.add(this.o.now());
      if (this.pending.size > 0) this.flush();
    });
  }

  private topic(tag: string): string {
    let topic = this.topics.get(tag);
    if (topic === undefined) {
      topic = sampleTopic(this.o.names, tag);
      this.topics.set(tag, topic);
    }
    return topic;
  }

  /** `{value, ts}` as samplePayload() writes it; the values of one poll share their `ts`. */
  private payload(s: Sample): string {
    if (s.ts !== this.lastTs) {
      this.lastTs = s.ts;
      this.lastTsJson = JSON.stringify(isoTime(s.ts));
    }
    return `{"value":${JSON.stringify(keyOf(s.value))},"ts":${this.lastTsJson}}`;
  }
}

/** JSON has no NaN or Infinity: a non-finite number is published (and compared) as null. */
function keyOf(value: Sample['value']): ValueKey {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
