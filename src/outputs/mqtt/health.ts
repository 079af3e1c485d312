import type { ErrorCode } from '../../lib/errors.js';

/** What the dashboard and /metrics show about MQTT publishing. */
export interface MqttPublisherHealth {
  /** Broker URL without credentials ("mqtt://127.0.0.1:1883"). */
  readonly broker: string;
  readonly clientId: string;
  readonly protocolVersion: 4 | 5;
  readonly connected: boolean;
  /** Wall ms of the current connection's CONNACK. */
  readonly connectedSince?: number;
  /** Connection attempts since start, successful or not. */
  readonly connectAttempts: number;
  readonly connects: number;
  readonly connectionLosses: number;
  /** Ms until the next connection attempt, while disconnected. */
  readonly nextReconnectInMs?: number;
  /** "MQTT_AUTH broker mqtt://... refused the credentials of user "line3" ...", cleared on connect. */
  readonly lastError?: string;
  readonly lastErrorCode?: ErrorCode;
  readonly lastErrorAt?: number;
  /** Published, not yet acknowledged. */
  readonly inFlight: number;
  /** Messages acknowledged by the broker since start (QoS 0: written to the socket). */
  readonly published: number;
  /** Average over the last ~10 s. */
  readonly publishedPerSecond: number;
  /** Messages the broker refused for good (MQTT 5 PUBACK: not authorized, invalid topic). */
  readonly rejected: number;
  /** Spool cursor of the "mqtt" destination. */
  readonly ackedId: number;
  /** Spool rows not yet delivered (samples included when the spool holds them for others). */
  readonly backlog: number;
  readonly oldestUnsentAgeMs: number;
  readonly embeddedBroker?: { readonly host: string; readonly port: number; readonly clients: number };
}
