/**
 * A Sparkplug B 3.0 edge node (docs/sparkplug.md) beside the JSON namespace: its own broker
 * connection (its Will is the NDEATH, with a bdSeq that changes on every CONNECT), a clean
 * session, the spool's "sparkplug" destination read by the generic runner with
 * SparkplugDestination. Group id = mqtt.sparkplug.groupId or site.site; edge node id =
 * mqtt.sparkplug.edgeNodeId or agent.id; devices = the stations. With mqtt.sparkplug.primaryHostId,
 * births wait for that host's STATE online (primary-host.ts).
 */
import path from 'node:path';
import type { LinesideConfig } from '../../config/schema.js';
import type { CoreEvent } from '../../core/events.js';
import type { Clock, Sample } from '../../core/sample.js';
import type { Logger } from '../../lib/logger.js';
import { packageVersion } from '../../lib/paths.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import type { ConnectionTarget } from '../mqtt/client-options.js';
import { BrokerConnection } from '../mqtt/connection.js';
import { resolveTarget } from '../mqtt/target.js';
import type { OutputHandle, OutputStatus } from '../output.js';
import { SpooledOutput } from '../runner.js';
import type { Spool } from '../spool/index.js';
import { BdSeqStore } from './bdseq.js';
import { SESSION_CHECKPOINT, SparkplugDestination, type SpooledEvent } from './destination.js';
import { PrimaryHostWatch } from './primary-host.js';
import { conditionMetrics } from './conditions.js';
import { EdgeNodeSession, type SessionState } from './session.js';

export const SPARKPLUG_DESTINATION = 'sparkplug';

/** How often the node's uptime and spool backlog go out as NDATA (when they changed). */
const NODE_STATUS_INTERVAL_MS = 60_000;

export interface SparkplugNodeDeps {
  readonly config: Readonly<LinesideConfig>;
  readonly spool: Spool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly embeddedBroker?: () => EmbeddedBroker | undefined;
  /** The core's events as they happen (published live while the node is born). */
  readonly events: { add(name: string, listener: (event: CoreEvent) => void): () => void };
  /** The sources' samples as they happen, for the stations' condition signals (none: not listened to). */
  readonly samples?: { add(name: string, listener: (sample: Sample) => void): () => void };
  /** How long stop() waits for the last batch and the NDEATH, ms; default 2,000. */
  readonly stopGraceMs?: number;
}

export interface SparkplugNode extends OutputHandle {
  start(): Promise<void>;
  /** NDEATH, then DISCONNECT (MQTT 5: DISCONNECT with the Will, which is the NDEATH). */
  stop(): Promise<void>;
  /** The bdSeq of the current (or last) CONNECT. */
  readonly bdSeq: number | undefined;
}

export function createSparkplugNode(deps: SparkplugNodeDeps): SparkplugNode {
  return new Node(deps);
}

class Node implements SparkplugNode {
  readonly name = SPARKPLUG_DESTINATION;
  private readonly log: Logger;
  private readonly session: EdgeNodeSession;
  private readonly bdSeqs: BdSeqStore;
  private readonly destination: SparkplugDestination;
  private readonly runner: SpooledOutput<SpooledEvent>;
  private unsubscribe: (() => void) | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private targets: ConnectionTarget[] = [];
  private serverIndex = 0;
  private readonly primaryHost: PrimaryHostWatch | undefined;
  private connection: BrokerConnection | undefined;
  private current: number | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: SparkplugNodeDeps) {
    const { config, spool, clock } = deps;
    this.log = deps.logger.child({ component: SPARKPLUG_DESTINATION });
    const restored = spool.getCheckpoint(SESSION_CHECKPOINT) as SessionState | null;
    this.session = new EdgeNodeSession(
      {
        groupId: config.mqtt.sparkplug.groupId ?? config.site.site,
        edgeNodeId: config.mqtt.sparkplug.edgeNodeId ?? config.agent.id,
        stations: config.lines.flatMap((l) => l.stations.map((s) => s.id)),
        version: packageVersion(),
        conditions: conditionMetrics(config),
      },
      restored !== null && typeof restored === 'object' && 'values' in restored ? restored : undefined,
    );
    this.bdSeqs = new BdSeqStore(path.join(path.resolve(config.storage.dir), 'sparkplug-bdseq.json'));
    const hostId = config.mqtt.sparkplug.primaryHostId;
    this.primaryHost = hostId === undefined ? undefined : new PrimaryHostWatch(hostId);
    this.destination = new SparkplugDestination({
      session: this.session,
      spool,
      bdSeq: () => this.current ?? 0,
      now: () => clock.wallMs(),
      writeMax: 1_000,
      log: this.log,
      dropConnection: (reason) => this.connection?.drop(reason),
      isConnected: () => this.connection?.isConnected ?? false,
      leave: (reason) => this.leave(reason),
      canWalk: (config.mqtt.sparkplug.servers?.length ?? 1) > 1,
      ...(this.primaryHost === undefined ? {} : { primaryHost: this.primaryHost }),
    });
    const mqtt = config.mqtt;
    this.runner = new SpooledOutput(
      this.destination,
      { spool, logger: deps.logger },
      {
        batchSize: 500,
        flushIntervalMs: 0,
        // Stored events replayed per second at most, after an outage (live data is not held by it).
        maxPerSecond: mqtt.sparkplug.historyRate,
        backoff: { initialMs: mqtt.reconnectMin, maxMs: Math.max(mqtt.reconnectMin, mqtt.reconnectMax) },
        stopGraceMs: deps.stopGraceMs ?? 2_000,
      },
    );
  }

  get bdSeq(): number | undefined {
    return this.current ?? this.bdSeqs.previous;
  }

  async start(): Promise<void> {
    const { config, clock } = this.deps;
    const willTopic = this.session.topic('NDEATH');
    // The broker(s): mqtt.sparkplug.servers, walked while the primary host is offline, or mqtt.url.
    const servers = config.mqtt.sparkplug.servers ?? [config.mqtt.url];
    const resolved = servers.map((url) =>
      resolveTarget({ ...config, mqtt: { ...config.mqtt, url } }, willTopic, this.deps.embeddedBroker?.(), this.log),
    );
    // Every CONNECT takes the next bdSeq; its NBIRTH carries the same one.
    const will = () => {
      this.current = this.bdSeqs.next();
      return { payload: Buffer.from(this.session.death(this.current, clock.wallMs())), qos: 1 as const, retain: false };
    };
    this.targets = resolved.map((r) => ({
      ...r.target,
      clientId: `${r.target.clientId}-sparkplug`,
      cleanSession: true,
      will,
    }));
    const [target] = this.targets;
    const tlsFiles = resolved[0]?.tlsFiles;
    if (target === undefined || tlsFiles === undefined) throw new Error('no Sparkplug server (the schema forbids it)');
    this.connection = new BrokerConnection(
      config.mqtt,
      target,
      tlsFiles,
      {
        onUp: (client) => this.destination.connected(client),
        onDown: () => this.destination.disconnected(),
        // No CONNECT went out: the next one takes the same bdSeq (it counts CONNECTs, not dials).
        onAttemptFailed: (connectSent) => {
          if (!connectSent) this.bdSeqs.release();
        },
      },
      clock,
      this.log,
    );
    // The session's values and replay state commit with the events they came from.
    this.deps.spool.setCheckpointSource(SESSION_CHECKPOINT, () => this.session.state());
    const offEvents = this.deps.events.add(SPARKPLUG_DESTINATION, (e) => this.destination.liveEvent(e));
    const offSamples = this.session.watchesSamples
      ? this.deps.samples?.add(SPARKPLUG_DESTINATION, (s) => this.destination.liveSample(s))
      : undefined;
    this.unsubscribe = () => {
      offEvents();
      offSamples?.();
    };
    this.connection.start();
    await this.runner.start();
    const startedMono = clock.monoMs();
    const report = () =>
      this.destination.nodeStatus({
        uptimeS: Math.floor((clock.monoMs() - startedMono) / 1000),
        spoolBacklog: this.deps.spool.health().destinations[SPARKPLUG_DESTINATION]?.pending ?? 0,
      });
    report();
    this.statusTimer = setInterval(report, NODE_STATUS_INTERVAL_MS);
    this.statusTimer.unref();
    this.log.info(
      { topic: this.session.topic('NBIRTH'), broker: this.connection.broker },
      'Sparkplug B edge node started',
    );
  }

  /** Ends this session because of the primary host; with a server list, the next attempt dials the next server. */
  private leave(reason: string): void {
    if (this.targets.length > 1) {
      this.serverIndex = (this.serverIndex + 1) % this.targets.length;
      const next = this.targets[this.serverIndex];
      if (next !== undefined) {
        this.connection?.retarget(next);
        this.primaryHost?.reset();
        this.log.info({ broker: this.connection?.broker, reason }, 'Sparkplug: moving to the next server');
      }
    }
    this.connection?.drop(reason);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.unsubscribe?.();
      if (this.statusTimer !== undefined) clearInterval(this.statusTimer);
      await this.runner.stop();
      // The broker of the current connection: MQTT 5 publishes the Will on DISCONNECT 0x04.
      const v5 = this.targets[this.serverIndex]?.protocolVersion === 5;
      const death = Buffer.from(this.session.death(this.current ?? 0, this.deps.clock.wallMs()));
      await this.connection?.stop(
        (client) =>
          // MQTT 3.1.1: publish the NDEATH ourselves; MQTT 5: the broker publishes the Will.
          v5
            ? Promise.resolve()
            : new Promise<void>((resolve, reject) => {
                client.publish(this.session.topic('NDEATH'), death, { qos: 1, retain: false }, (err) =>
                  err ? reject(err) : resolve(),
                );
              }),
        this.deps.stopGraceMs ?? 2_000,
        v5 ? 4 : undefined,
      );
      this.log.info({ bdSeq: this.current }, 'Sparkplug B edge node stopped');
    })();
    return this.stopping;
  }

  status(): OutputStatus {
    return this.runner.status();
  }
}
