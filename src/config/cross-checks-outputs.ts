/**
 * Output settings that a schema type cannot check alone: broker and InfluxDB URLs, the MQTT
 * reconnect range, an MQTT output that would publish nothing, order commands nobody could send.
 */
import type { Add, Config, Path } from './cross-checks-common.js';
import { checkInflux } from './cross-checks-influx.js';
import { formatDurationMs } from './duration.js';

export function checkOutputs(config: Config, add: Add): void {
  const { mqtt, influx } = config;
  if (mqtt?.url !== undefined && mqtt.url !== 'embedded') checkBrokerUrl(mqtt.url, ['mqtt', 'url'], add);
  mqtt?.sparkplug?.servers?.forEach((url, i) => {
    if (typeof url === 'string' && url !== 'embedded') checkBrokerUrl(url, ['mqtt', 'sparkplug', 'servers', i], add);
  });
  if (mqtt?.reconnectMin !== undefined && mqtt.reconnectMax !== undefined && mqtt.reconnectMax < mqtt.reconnectMin) {
    add(
      ['mqtt', 'reconnectMax'],
      `must be at least reconnectMin (${formatDurationMs(mqtt.reconnectMin)}); got ${formatDurationMs(mqtt.reconnectMax)}`,
    );
  }
  if (mqtt?.enabled === true && mqtt.json === false && mqtt.sparkplug?.enabled !== true) {
    add(
      ['mqtt', 'json'],
      'with mqtt.json false and mqtt.sparkplug.enabled false nothing is published; enable one, or set mqtt.enabled: false',
    );
  }
  const server = config.server;
  if (mqtt?.commands === true && server?.usersFile === undefined && (server?.operatorToken ?? '') === '') {
    add(
      ['mqtt', 'commands'],
      'order commands carry an API token, but no users are configured: set server.usersFile (lineside user add NAME --role operator; lineside user token NAME) or set mqtt.commands: false',
    );
  }
  checkInflux(influx, add);
}

function checkBrokerUrl(text: string, path: Path, add: Add): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    add(path, `"${text}" is not a URL; use "embedded" or mqtt://host:1883, mqtts://host:8883`);
  }
  if (url !== undefined && !['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(url.protocol)) {
    add(path, `unsupported scheme "${url.protocol}"; use mqtt://, mqtts://, ws:// or wss://`);
  }
}
