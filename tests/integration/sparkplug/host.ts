/**
 * A test client that plays a Sparkplug host application: records every Sparkplug message in
 * arrival order, decoded with Eclipse Tahu's codec (independent of ours), and sends commands.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { FanOut } from '../../../src/agent/fanout.js';
import type { LinesideConfig } from '../../../src/config/schema.js';
import type { CoreEvent } from '../../../src/core/events.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createSparkplugNode, type SparkplugNode } from '../../../src/outputs/sparkplug/edge-node.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { decodeWithTahu, tahu, type Decoded } from '../../unit/sparkplug/tahu.js';
import { until } from '../../helpers/wait.js';

export interface SparkplugReceived {
  readonly topic: string;
  /** NBIRTH, DBIRTH, NDATA, DDATA, DDEATH, NDEATH, STATE ... */
  readonly kind: string;
  readonly device?: string;
  readonly payload: Decoded;
  readonly raw: Buffer;
  readonly qos: number;
  readonly retain: boolean;
}

export interface TestHost {
  readonly messages: SparkplugReceived[];
  readonly client: MqttClient;
  of(kind: string): SparkplugReceived[];
  waitFor(check: (messages: SparkplugReceived[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  rebirth(groupId: string, edgeNodeId: string): Promise<void>;
  close(): Promise<void>;
}

/** `persistent`: a session the broker keeps (with its persistence on) across its restart. */
export async function startHost(url: string, persistent = false): Promise<TestHost> {
  const client = await mqtt.connectAsync(url, {
    clientId: `test-host-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    clean: !persistent,
    protocolVersion: 4,
    reconnectPeriod: 200,
  });
  client.on('error', () => undefined);
  const messages: SparkplugReceived[] = [];
  client.on('message', (topic, payload, packet) => {
    const parts = topic.split('/');
    const kind = parts[1] === 'STATE' ? 'STATE' : (parts[2] ?? '');
    const device = parts[4];
    let decoded: Decoded;
    try {
      decoded = decodeWithTahu(payload);
    } catch {
      decoded = { timestamp: undefined, seq: undefined, metrics: [] };
    }
    messages.push({
      topic,
      kind,
      ...(device === undefined ? {} : { device }),
      payload: decoded,
      raw: Buffer.from(payload),
      qos: packet.qos,
      retain: packet.retain,
    });
  });
  await client.subscribeAsync('spBv1.0/#', { qos: 1 });
  return {
    messages,
    client,
    of: (kind) => messages.filter((m) => m.kind === kind),
    waitFor: (check, what, timeoutMs = 15_000) => until(() => check(messages), what, timeoutMs),
    rebirth: async (groupId, edgeNodeId) => {
      const payload = tahu.encodePayload({
        timestamp: Date.now(),
        metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
      });
      await client.publishAsync(`spBv1.0/${groupId}/NCMD/${edgeNodeId}`, Buffer.from(payload), { qos: 0 });
    },
    close: async () => {
      await client.endAsync(true);
    },
  };
}

/** The value of a named metric in a decoded payload. */
export function metric(m: SparkplugReceived | undefined, name: string): unknown {
  return m?.payload.metrics.find((x) => x.name === name)?.value;
}

/** An edge node as the agent builds it, keeping its files (bdSeq) in `dir`; events come from `events`. */
export function testNode(
  config: Readonly<LinesideConfig>,
  dir: string,
  spool: Spool,
  events: FanOut<CoreEvent> = new FanOut<CoreEvent>(silentLogger),
): SparkplugNode {
  return createSparkplugNode({
    config: { ...config, storage: { ...config.storage, dir } },
    spool,
    clock: systemClock,
    logger: silentLogger,
    events,
  });
}
