/** What the publisher asks mqtt.js for, and how it words connection failures. */
import { describe, expect, it } from 'vitest';
import { ErrorWithReasonCode } from 'mqtt';
import { buildClientOptions, redactUrl, SESSION_EXPIRY_S } from '../../../src/outputs/mqtt/client-options.js';
import { classifyConnectError, isPermanentPublishRejection } from '../../../src/outputs/mqtt/connect-errors.js';
import { testConfig } from '../../integration/mqtt/test-config.js';

const target = {
  url: 'mqtt://broker:1883',
  clientId: 'lineside-line3',
  willTopic: 'acme/plant1/agents/line3/status',
  external: true,
};

describe('client options', () => {
  it('asks for a persistent session with a stable id, our own reconnects, no QoS 0 queue, and an offline will', () => {
    const mqtt = testConfig({
      mqtt: { url: 'mqtt://broker:1883', protocolVersion: 5, username: 'line3', password: 'pw' },
    }).mqtt;
    const options = buildClientOptions(mqtt, { ...target, protocolVersion: 5 }, {});
    expect(options).toMatchObject({
      clientId: 'lineside-line3',
      clean: false,
      reconnectPeriod: 0,
      queueQoSZero: false,
      protocolVersion: 5,
      username: 'line3',
      password: 'pw',
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      will: { topic: 'acme/plant1/agents/line3/status', qos: 1, retain: true },
    });
    expect(String(options.will?.payload)).toBe('offline');
    expect(SESSION_EXPIRY_S).toBeGreaterThan(0);
  });

  it('sends no MQTT 5 properties to a 3.1.1 broker', () => {
    const mqtt = testConfig({ mqtt: { url: 'mqtt://broker:1883', protocolVersion: 4 } }).mqtt;
    expect(buildClientOptions(mqtt, { ...target, protocolVersion: 4 }, {}).properties).toBeUndefined();
  });

  it('keeps credentials out of the URL shown in logs and health', () => {
    expect(redactUrl('mqtts://line3:hunter2@broker.plant.local:8883')).toBe('mqtts://broker.plant.local:8883');
  });
});

describe('connection errors', () => {
  const ctx = { broker: 'mqtt://broker:1883', user: 'line3', clientId: 'lineside-line3', protocolVersion: 4 as const };

  it.each([
    [4, 4, 'MQTT_AUTH'],
    [4, 5, 'MQTT_AUTH'],
    [5, 0x86, 'MQTT_AUTH'],
    [5, 0x87, 'MQTT_AUTH'],
    [5, 0x8a, 'MQTT_AUTH'],
    [4, 2, 'MQTT_CONNECT'],
    [5, 0x85, 'MQTT_CONNECT'],
    [5, 0x89, 'MQTT_CONNECT'],
  ] as const)('MQTT %i CONNACK code %i is %s', (protocolVersion, code, expected) => {
    const err = classifyConnectError(new ErrorWithReasonCode('Connection refused', code), { ...ctx, protocolVersion });
    expect(err.code).toBe(expected);
    expect(err.message).toContain('mqtt://broker:1883');
  });

  it('names broker and user for refused credentials', () => {
    const err = classifyConnectError(new ErrorWithReasonCode('Connection refused: Bad username or password', 4), ctx);
    expect(err.toString()).toMatch(/^MQTT_AUTH broker mqtt:\/\/broker:1883 refused the credentials of user "line3"/);
    expect(err.context).toMatchObject({ broker: 'mqtt://broker:1883', user: 'line3', reasonCode: 4 });
  });

  it('names the socket error for an unreachable broker', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1883'), { code: 'ECONNREFUSED' });
    expect(classifyConnectError(refused, ctx).toString()).toBe(
      'MQTT_CONNECT cannot connect to mqtt://broker:1883: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1883',
    );
  });

  it('treats only final PUBACK refusals as permanent', () => {
    expect(isPermanentPublishRejection(new ErrorWithReasonCode('Not authorized', 0x87))).toBe(true);
    expect(isPermanentPublishRejection(new ErrorWithReasonCode('Quota exceeded', 0x97))).toBe(false);
    expect(isPermanentPublishRejection(new Error('Connection closed'))).toBe(false);
  });
});
