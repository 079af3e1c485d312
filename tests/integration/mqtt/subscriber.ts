/** A real MQTT subscriber for tests: records every message in arrival order. */
import mqtt, { type MqttClient } from 'mqtt';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Received {
  readonly topic: string;
  readonly text: string;
  /** Parsed JSON, or undefined when the payload is not JSON ("online"). */
  readonly json: Record<string, unknown> | undefined;
  readonly retain: boolean;
  readonly qos: number;
}

export interface Subscriber {
  readonly messages: Received[];
  readonly client: MqttClient;
  on(topicFilter: string): Received[];
  waitFor(predicate: (messages: Received[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SubscriberOptions {
  readonly clientId?: string;
  /** Persistent session: the broker queues QoS 1 messages while we are away. */
  readonly persistent?: boolean;
  readonly protocolVersion?: 4 | 5;
  readonly username?: string;
  readonly password?: string;
}

function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export async function startSubscriber(
  url: string,
  filters: string[],
  opts: SubscriberOptions = {},
): Promise<Subscriber> {
  const client = await mqtt.connectAsync(url, {
    clientId: opts.clientId ?? `test-sub-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    clean: !(opts.persistent ?? false),
    protocolVersion: opts.protocolVersion ?? 4,
    reconnectPeriod: 200,
    connectTimeout: 5_000,
    ...(opts.username === undefined ? {} : { username: opts.username }),
    ...(opts.password === undefined ? {} : { password: opts.password }),
  });
  client.on('error', () => undefined); // reconnect attempts during an outage are expected
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString('utf8');
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      json = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    messages.push({ topic, text, json, retain: packet.retain, qos: packet.qos });
  });
  await client.subscribeAsync(
    filters
      .map((topic) => ({ topic, qos: 1 as const }))
      .reduce<Record<string, { qos: 1 }>>((acc, f) => ({ ...acc, [f.topic]: { qos: 1 } }), {}),
  );
  return {
    messages,
    client,
    on: (filter) => messages.filter((m) => matches(filter, m.topic)),
    waitFor: async (predicate, what, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline)
          throw new Error(
            `subscriber: timed out after ${timeoutMs} ms waiting for ${what} (${messages.length} messages received)`,
          );
        await sleep(50);
      }
    },
    close: async () => {
      await client.endAsync(true);
    },
  };
}

/** Polls until `predicate` holds; throws naming `what` (never decides a test on speed alone). */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
