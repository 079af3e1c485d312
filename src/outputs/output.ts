/**
 * The output contract. Every output (MQTT, InfluxDB, webhooks, and the next one) is built by a
 * factory from the agent's registry and shows the rest of the agent its name and how it is doing:
 * the server lists outputs by these, in /metrics and /readyz, without knowing which exist.
 */
import type { LinesideConfig } from '../config/schema.js';
import type { CoreEvent } from '../core/events.js';
import type { Clock, Sample } from '../core/sample.js';
import type { Component } from '../lib/component.js';
import type { Logger } from '../lib/logger.js';
import type { Spool } from './spool/index.js';
import type { EmbeddedBroker } from './broker/embedded-broker.js';

export interface OutputStatus {
  /** Stable, lower case: the `output` label in /metrics ("mqtt", "influx", "webhooks"). */
  readonly name: string;
  /** Connected and delivering (MQTT: connected; InfluxDB: the last write succeeded). */
  readonly up: boolean;
  /** Deliveries since start (MQTT: messages acknowledged, and QoS 0 tag values written; InfluxDB: points; webhooks: requests). */
  readonly sent: number;
  readonly errors: number;
  readonly lastError?: string;
}

/** An output as the agent's composition root holds it. */
export interface OutputHandle {
  readonly name: string;
  status(): OutputStatus;
}

/** What the agent hands an output factory. */
export interface OutputContext {
  readonly config: Readonly<LinesideConfig>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The durable queue a spooled output reads with its own cursor (its name is the destination). */
  readonly spool: Spool;
  /** The core's events (and alerts) as they happen, for an output that takes them live, unspooled. */
  readonly events: { add(name: string, listener: (event: CoreEvent) => void): () => void };
  /** The sources' samples as they happen (only while someone listens: the hot path stays lean). */
  readonly samples: { add(name: string, listener: (sample: Sample) => void): () => void };
}

/** An output and the components that make it run (the MQTT publisher and, for `embedded`, its broker). */
export interface BuiltOutput {
  readonly output: OutputHandle;
  /** Outputs built with it, on what it owns (the Sparkplug B edge node on the MQTT broker). */
  readonly siblings?: readonly OutputHandle[];
  readonly components: readonly Component[];
  /** The embedded broker it started (`mqtt.url: embedded`), for others that connect to it (order commands). */
  readonly embeddedBroker?: () => EmbeddedBroker | undefined;
}

/**
 * One entry of the agent's output registry (src/agent/registry.ts): adding an output is a folder
 * with one of these and a line in the registry.
 */
export interface OutputFactory {
  readonly name: string;
  /** Reads the spool: the spool keeps every row until this destination acknowledged it. */
  readonly spooled: boolean;
  /** Its spool destinations when not just `name` (webhooks: one per receiver). */
  spoolDestinations?(config: Readonly<LinesideConfig>): readonly string[];
  /** Whether the config runs this output. */
  enabled(config: Readonly<LinesideConfig>): boolean;
  /** Whether it wants raw samples too (else the spool keeps only events for it). */
  readsSamples(config: Readonly<LinesideConfig>): boolean;
  create(ctx: OutputContext): BuiltOutput;
}
