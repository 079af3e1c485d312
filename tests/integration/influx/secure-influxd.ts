/**
 * A private influxd with HTTPS (a self-signed certificate made with openssl) and authentication
 * on, for the writer's auth and TLS tests. tests/helpers/influxd.ts starts the plain kind; this
 * one differs in the [http] section and needs a TLS-tolerant client for its own probe and admin
 * queries.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { requireBinary } from '../../helpers/binaries.js';
import { freePort } from '../../helpers/ports.js';
import { createTempDir, ManagedProcess, removeTempDir } from '../../helpers/service.js';

export interface SecureInfluxd {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** Runs InfluxQL as the admin; rejects on HTTP or statement errors. */
  admin(q: string, db?: string): Promise<unknown>;
  close(): Promise<void>;
}

export const ADMIN = { user: 'admin', password: 'admin-secret' };

function request(
  url: string,
  body: URLSearchParams | undefined,
  auth?: { user: string; password: string },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        rejectUnauthorized: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(auth === undefined
            ? {}
            : { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` }),
        },
        timeout: 5_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body?.toString());
  });
}

export async function startSecureInfluxd(): Promise<SecureInfluxd> {
  const binary = requireBinary('influxd', 'influxdb');
  const port = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === port) rpcPort = await freePort();
  const dir = createTempDir('influxd-secure');
  for (const sub of ['meta', 'data', 'wal']) mkdirSync(path.join(dir, sub));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const q = (s: string): string => JSON.stringify(s);
  const conf = path.join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true
reporting-enabled = false
bind-address = ${q(`127.0.0.1:${rpcPort}`)}
[meta]
  dir = ${q(path.join(dir, 'meta'))}
[data]
  dir = ${q(path.join(dir, 'data'))}
  wal-dir = ${q(path.join(dir, 'wal'))}
[http]
  enabled = true
  bind-address = ${q(`127.0.0.1:${port}`)}
  auth-enabled = true
  https-enabled = true
  https-certificate = ${q(cert)}
  https-private-key = ${q(key)}
  log-enabled = false
  unix-socket-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
`,
  );
  const url = `https://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: `influxd-secure:${port}`,
    command: binary,
    args: ['-config', conf],
    cwd: dir,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INFLUXDB_'))),
    probe: async () => (await request(`${url}/ping`, undefined)).status === 204,
    ports: [port, rpcPort],
  });
  try {
    await proc.start();
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
  const admin = async (statement: string, db?: string): Promise<unknown> => {
    const body = new URLSearchParams({ q: statement });
    if (db !== undefined) body.set('db', db);
    const res = await request(`${url}/query`, body, ADMIN);
    const json = JSON.parse(res.text) as { error?: string; results?: Array<{ error?: string }> };
    if (res.status !== 200 || json.error !== undefined || json.results?.some((r) => r.error !== undefined))
      throw new Error(`${statement}: HTTP ${res.status} ${res.text}`);
    return json;
  };
  // With auth on and no users yet, InfluxDB accepts exactly this statement without credentials.
  const first = await request(
    `${url}/query`,
    new URLSearchParams({ q: `CREATE USER ${ADMIN.user} WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES` }),
  );
  if (first.status !== 200) {
    await proc.stop();
    removeTempDir(dir);
    throw new Error(`creating the admin user failed: HTTP ${first.status} ${first.text}`);
  }
  return {
    url,
    admin,
    close: async () => {
      await proc.stop();
      removeTempDir(dir);
    },
  };
}
