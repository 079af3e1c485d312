/**
 * Builds the mqtt.js options for one connection attempt from the validated config. Each choice
 * follows a pitfall in docs/library-notes.md#mqtt:
 * - `reconnectPeriod: 0`: we reconnect ourselves with capped exponential backoff and jitter.
 * - `queueQoSZero: false`: durability is the spool's job; nothing piles up in mqtt.js memory.
 * - `clean: false` + stable client id (+ session expiry on MQTT 5): a persistent session, so the
 *   broker keeps our session state across short outages (mosquitto drops a v5 session at once
 *   without an expiry interval).
 * - Last will: retained "offline" on the status topic, so a crash or power cut shows at once.
 * - `writeCache: false`: no 6 MB number cache in mqtt-packet (docs/resources.md).
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { LinesideConfig } from '../../config/schema.js';
import { LinesideError, errorMessage } from '../../lib/errors.js';

export type MqttConfig = LinesideConfig['mqtt'];

/**
 * What a connection needs of an MQTT config: the agent's `mqtt` section, or the plant server's
 * (src/config/plant-schema.ts), which has the same fields for these.
 */
export type MqttConnectionConfig = Pick<MqttConfig, 'username' | 'password' | 'tls' | 'reconnectMin' | 'reconnectMax'>;

/** Session expiry for MQTT 5: one day, longer than any outage we expect to bridge. */
export const SESSION_EXPIRY_S = 86_400;
export const KEEPALIVE_S = 30;
export const CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectionTarget {
  /** Broker URL actually dialled (the embedded broker's resolved address for "embedded"). */
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly clientId: string;
  /** Where the retained "offline" last will goes; absent for a client that publishes nothing (the plant server). */
  readonly willTopic?: string;
  /** TLS and credentials apply to external brokers only. */
  readonly external: boolean;
  /**
   * The Will of each CONNECT, when not the retained "offline" on `willTopic`, and a clean
   * session instead of the persistent one (a Sparkplug edge node: its Will changes per CONNECT).
   */
  readonly will?: () => { readonly payload: Buffer; readonly qos: 0 | 1; readonly retain: boolean };
  readonly cleanSession?: boolean;
  /** What goes on while the connection is down, for the log line (default: the agent's spool). */
  readonly whileDown?: string;
}

/** Reads the TLS files named in the config; a vanished file is an MQTT_CONNECT error naming it. */
export function readTlsFiles(
  mqtt: Pick<MqttConfig, 'tls'>,
): Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  const tls = mqtt.tls;
  if (tls === undefined) return {};
  const read = (key: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const file = tls[key];
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new LinesideError('MQTT_CONNECT', `cannot read the TLS ${key} file ${file}: ${errorMessage(err)}`, {
        path: ['mqtt', 'tls', key],
        file,
      });
    }
  };
  const ca = read('ca');
  const cert = read('cert');
  const key = read('key');
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

export function buildClientOptions(
  mqtt: MqttConnectionConfig,
  target: ConnectionTarget,
  tlsFiles: ReturnType<typeof readTlsFiles>,
): IClientOptions {
  const options: IClientOptions = {
    protocolVersion: target.protocolVersion,
    clientId: target.clientId,
    clean: target.cleanSession === true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    keepalive: KEEPALIVE_S,
    queueQoSZero: false,
    resubscribe: false,
    // mqtt-packet would otherwise build a cache of 65,536 two-byte Buffers (~6 MB of heap, for
    // good) on the first packet, to save one tiny allocation per packet id.
    writeCache: false,
    ...(target.willTopic === undefined
      ? {}
      : {
          will: {
            topic: target.willTopic,
            ...(target.will?.() ?? { payload: Buffer.from('offline'), qos: 1, retain: true }),
          },
        }),
  };
  if (target.protocolVersion === 5 && target.cleanSession !== true)
    options.properties = { sessionExpiryInterval: SESSION_EXPIRY_S };
  if (target.external) {
    if (mqtt.username !== undefined) options.username = mqtt.username;
    if (mqtt.password !== undefined) options.password = mqtt.password;
    Object.assign(options, tlsFiles);
  } else if (mqtt.username !== undefined && mqtt.password !== undefined) {
    // The embedded broker enforces the configured credentials on every client, ours included.
    options.username = mqtt.username;
    options.password = mqtt.password;
  }
  return options;
}

/** The URL without user info, safe for logs and health. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
