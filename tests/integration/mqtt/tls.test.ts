/**
 * TLS to the broker with a private CA and a client certificate (mosquitto requires one), made
 * with the openssl CLI for this test run; and a missing TLS file as a config error with its path.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createMqttPublisher, type MqttPublisher } from '../../../src/outputs/mqtt/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { requireBinary } from '../../helpers/binaries.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle } from '../spool/make-events.js';
import { waitUntil } from './subscriber.js';
import { configYaml, testConfig } from './test-config.js';
import { openTestSpool } from '../../helpers/test-spool.js';

const run = promisify(execFile);

/** CA, server certificate for 127.0.0.1, client certificate; all RSA 2048, valid one day. */
async function makeCertificates(
  dir: string,
): Promise<Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string>> {
  const openssl = requireBinary('openssl', 'openssl');
  const f = (name: string) => path.join(dir, name);
  await run(openssl, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Lineside Test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  ]);
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    await run(openssl, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${who === 'server' ? '127.0.0.1' : 'lineside-agent'}`,
      '-keyout',
      f(`${who}.key`),
      '-out',
      f(`${who}.csr`),
    ]);
    await run(openssl, [
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      f(`${who}.pem`),
      ...(who === 'server' ? ['-extfile', f('server.ext')] : []),
    ]);
  }
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

describe('TLS with CA, client certificate and key', () => {
  let dir: string;
  let certs: Awaited<ReturnType<typeof makeCertificates>>;
  let broker: MosquittoHandle;
  let spool: Spool | undefined;
  let publisher: MqttPublisher | undefined;
  beforeAll(async () => {
    dir = createTempDir('mqtt-tls');
    certs = await makeCertificates(dir);
    broker = await startMosquitto({
      extraConf: `cafile ${certs.ca}\ncertfile ${certs.serverCert}\nkeyfile ${certs.serverKey}\nrequire_certificate true\n`,
    });
  });
  afterAll(async () => {
    await publisher?.stop();
    spool?.close();
    await broker.close();
    removeTempDir(dir);
  });

  it('publishes over mqtts:// with the configured CA, client certificate and key', async () => {
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const tlsOpts = {
      ca: readFileSync(certs.ca),
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
    };
    const subscriber = await mqtt.connectAsync(url, { ...tlsOpts, reconnectPeriod: 0, clientId: 'tls-sub' });
    const got: string[] = [];
    subscriber.on('message', (_t, p) => got.push(p.toString()));
    await subscriber.subscribeAsync('acme/plant1/line1/press/cycle', { qos: 1 });
    try {
      spool = openTestSpool(path.join(dir, 'spool'), ['mqtt']);
      const config = testConfig({
        baseDir: dir,
        mqtt: { url, tls: { ca: 'ca.pem', cert: 'client.pem', key: 'client.key' } },
      });
      publisher = createMqttPublisher({ config, spool, clock: systemClock, logger: silentLogger });
      spool.appendEvent(cycle('press', 1, Date.UTC(2026, 2, 2, 6)));
      await publisher.start();
      await waitUntil(() => got.length === 1, 'the cycle over TLS');
      expect(JSON.parse(got[0] ?? '{}')).toMatchObject({ eventId: 'press-000000001' });
      expect(publisher.health().connected).toBe(true);
    } finally {
      await subscriber.endAsync(true);
    }
  });

  it('reports a certificate the broker does not trust as MQTT_CONNECT and keeps retrying', async () => {
    const other = createTempDir('mqtt-tls-other');
    try {
      const otherCerts = await makeCertificates(other); // a different CA: the broker's cert fails verification
      const s = openTestSpool(path.join(other, 'spool'), ['mqtt']);
      const config = testConfig({
        baseDir: other,
        mqtt: {
          url: `mqtts://127.0.0.1:${broker.port}`,
          reconnectMin: '50ms',
          reconnectMax: '100ms',
          tls: { ca: otherCerts.ca, cert: otherCerts.clientCert, key: otherCerts.clientKey },
        },
      });
      const p = createMqttPublisher({ config, spool: s, clock: systemClock, logger: silentLogger });
      await p.start();
      try {
        await waitUntil(() => p.health().connectAttempts >= 2 && p.health().lastError !== undefined, 'a TLS failure');
        expect(p.health().lastErrorCode).toBe('MQTT_CONNECT');
        expect(p.health().lastError).toMatch(/certificate|self.signed|verify/i);
        expect(p.health().connected).toBe(false);
      } finally {
        await p.stop();
        s.close();
      }
    } finally {
      removeTempDir(other);
    }
  });
});

describe('missing TLS file', () => {
  it('is a config error at start naming the config path and the absolute file path', () => {
    const baseDir = createTempDir('mqtt-tls-missing');
    try {
      const text = configYaml({ mqtt: { url: 'mqtts://broker.plant.local:8883', tls: { ca: 'certs/plant-ca.pem' } } });
      const result = loadConfigText(text, { env: {}, baseDir });
      expect(result.ok).toBe(false);
      const issues = result.ok ? [] : result.issues;
      const issue = issues.find((i) => i.path.join('.') === 'mqtt.tls.ca');
      expect(issue?.message).toContain(path.join(baseDir, 'certs/plant-ca.pem'));
    } finally {
      removeTempDir(baseDir);
    }
  });
});
