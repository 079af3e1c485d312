/**
 * What every output (MQTT, InfluxDB, webhooks, and the next one) shows the rest of the agent:
 * its name and how it is doing. The server lists outputs by these, in /metrics and /readyz,
 * without knowing which outputs exist.
 */
export interface OutputStatus {
  /** Stable, lower case: the `output` label in /metrics ("mqtt", "influx", "webhooks"). */
  readonly name: string;
  /** Connected and delivering (MQTT: connected; InfluxDB: the last write succeeded). */
  readonly up: boolean;
  /** Deliveries since start (MQTT: messages acknowledged; InfluxDB: points; webhooks: requests). */
  readonly sent: number;
  readonly errors: number;
  readonly lastError?: string;
}

/** An output as the agent's composition root holds it. */
export interface OutputHandle {
  readonly name: string;
  status(): OutputStatus;
}
