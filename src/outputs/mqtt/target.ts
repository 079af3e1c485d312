/**
 * Where the publisher connects: the embedded broker (`mqtt.url: embedded`, started by its own
 * component before the publisher) or the configured external broker, with its TLS files read.
 * Rejects only for what the user must fix: a URL that is no broker URL, an unreadable TLS file,
 * an embedded broker that did not start (its port in use).
 */
import type { LinesideConfig } from '../../config/schema.js';
import { LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import { readTlsFiles, redactUrl, type ConnectionTarget } from './client-options.js';

const KNOWN_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:']);
const TLS_PROTOCOLS = new Set(['mqtts:', 'ssl:', 'tls:', 'wss:']);

export interface ResolvedTarget {
  readonly target: ConnectionTarget;
  readonly tlsFiles: ReturnType<typeof readTlsFiles>;
}

export function resolveTarget(
  config: Readonly<LinesideConfig>,
  willTopic: string,
  embedded: EmbeddedBroker | undefined,
  log: Logger,
): ResolvedTarget {
  const mqtt = config.mqtt;
  const clientId = mqtt.clientId ?? `lineside-${config.agent.id}`;
  if (mqtt.url === 'embedded') {
    if (embedded === undefined) {
      throw new LinesideError(
        'MQTT_CONNECT',
        'mqtt.url is embedded but the embedded broker is not running (it failed to start: see the error before this one)',
        { path: ['mqtt', 'url'] },
      );
    }
    if (mqtt.protocolVersion === 5)
      log.info('the embedded broker speaks MQTT 3.1.1; connecting with protocol version 4');
    return { target: { url: embedded.url, protocolVersion: 4, clientId, willTopic, external: false }, tlsFiles: {} };
  }
  let protocol: string;
  try {
    protocol = new URL(mqtt.url).protocol;
  } catch {
    protocol = ''; // not a URL at all
  }
  if (!KNOWN_PROTOCOLS.has(protocol)) {
    throw new LinesideError(
      'MQTT_CONNECT',
      `mqtt.url "${redactUrl(mqtt.url)}" is not a broker URL (use embedded, mqtt://, mqtts://, ws:// or wss://)`,
      { path: ['mqtt', 'url'] },
    );
  }
  const tlsFiles = readTlsFiles(mqtt);
  if (mqtt.tls !== undefined && !TLS_PROTOCOLS.has(protocol)) {
    log.warn(
      { broker: redactUrl(mqtt.url) },
      'mqtt.tls is set but mqtt.url is not mqtts:// or wss://; the connection is NOT encrypted',
    );
  }
  return {
    target: { url: mqtt.url, protocolVersion: mqtt.protocolVersion, clientId, willTopic, external: true },
    tlsFiles,
  };
}
