/**
 * The node-influx client, configured against the pitfalls in docs/library-notes.md#influx:
 * - Our own retry loop owns retries and backoff (capped, with jitter, forever while the spool
 *   holds the data). node-influx's pool would retry 5xx twice and then *disable the host*
 *   ("No host available") on a timer we cannot cancel; a backoff strategy whose delay is always 0
 *   keeps the host enabled, and `maxRetries: 0` hands every failure straight to us.
 * - One keep-alive agent per writer, destroyed on stop, so a request still in flight when the
 *   agent stops cannot keep the process (or a test) alive.
 * - HTTPS from the URL scheme; `rejectUnauthorized` from the config (self-signed certificates on
 *   a plant server). Extra CAs: NODE_EXTRA_CA_CERTS (docs/influxdb.md).
 * - Our own `GET /ping` for the outage probe (probe.ts), not node-influx's ping(): that one drops
 *   the URL's path prefix and calls a 401 "offline". Ours goes through the same agent (TLS
 *   settings), behind the same path prefix, with the same credentials (a server with
 *   ping-auth-enabled answers 204 to them; 1.x without it ignores them).
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { InfluxDB as InfluxDBClass } from 'influx';
import type { LinesideConfig } from '../../config/schema.js';
import { LinesideError } from '../../lib/errors.js';
import { influxSchemas } from './schema.js';

export type InfluxConfig = LinesideConfig['influx'];

export interface InfluxTarget {
  /** The URL without credentials, for logs and health. */
  readonly url: string;
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** Path prefix behind a reverse proxy ("" when none). */
  readonly path: string;
  readonly username?: string;
  readonly password?: string;
  readonly database: string;
  readonly retentionPolicy: string;
}

/** Removes user:password from a URL for logs. */
export function redactInfluxUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') {
      parsed.username = '';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/**
 * Reads the target from the config. Throws CONFIG_INVALID (naming influx.url) for a URL that is
 * not http(s): the one thing start() refuses, because retrying cannot fix it.
 */
export function influxTarget(config: InfluxConfig): InfluxTarget {
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    throw new LinesideError(
      'CONFIG_INVALID',
      `influx.url "${redactInfluxUrl(config.url)}" is not a URL (expected http://host:8086 or https://host:8086)`,
      { path: ['influx', 'url'] },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LinesideError(
      'CONFIG_INVALID',
      `influx.url "${redactInfluxUrl(config.url)}" must start with http:// or https:// (InfluxDB 1.x HTTP API)`,
      { path: ['influx', 'url'] },
    );
  }
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const port = parsed.port === '' ? (protocol === 'https' ? 443 : 80) : Number(parsed.port);
  const urlUser = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const urlPassword = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  const username = config.username ?? urlUser;
  const password = config.password ?? urlPassword;
  return {
    url: redactInfluxUrl(config.url),
    protocol,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    path: parsed.pathname.replace(/\/+$/, ''),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    database: config.database,
    retentionPolicy: config.retentionPolicy.name,
  };
}

/** The node-influx backoff interface: a 0 delay means "never disable the host". */
const NEVER_DISABLE = {
  getDelay: () => 0,
  next: () => NEVER_DISABLE,
  reset: () => NEVER_DISABLE,
};

/** What `GET /ping` got. */
export interface PingAnswer {
  /**
   * The server answered: any status below 500 (204 from InfluxDB; 401/403 from a server that wants
   * credentials for /ping is still a server that is up). 5xx (a proxy whose InfluxDB is down), a
   * network error or the timeout: false.
   */
  readonly answered: boolean;
  readonly status?: number;
  /** "HTTP 204", or the error ("connect ECONNREFUSED ...", "timeout after 2000 ms"). */
  readonly detail: string;
}

/**
 * A write InfluxDB answered with an error status. The message is the body InfluxDB sent
 * (`{"error":"partial write: field type conflict: ..."}`), which failures.ts reads.
 */
export class InfluxHttpError extends Error {
  override readonly name = 'InfluxHttpError';
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(body === '' ? `HTTP ${status}` : body);
  }
}

/** Bytes of an error body kept for the message (InfluxDB's own are a line or two). */
const ERROR_BODY_MAX = 4_096;

export interface InfluxClient {
  /** node-influx, for the database set-up queries (setup.ts); writes do not go through it. */
  readonly influx: InfluxDBClass;
  /**
   * POST <url>/write?db=&rp=&precision=u with `body` (line protocol). Resolves on 2xx; rejects
   * with an InfluxHttpError for any other status, or the network error (with its code), or an
   * ETIMEDOUT error when the server stays silent for the request timeout.
   */
  write(body: string): Promise<void>;
  /** GET <url>/ping; never rejects. */
  ping(timeoutMs: number, signal?: AbortSignal): Promise<PingAnswer>;
  /** Destroys the keep-alive sockets (and with them any request in flight). */
  close(): void;
}

export function createInfluxClient(
  target: InfluxTarget,
  options: { rejectUnauthorized: boolean; requestTimeoutMs: number },
): InfluxClient {
  const agent =
    target.protocol === 'https'
      ? new https.Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: options.rejectUnauthorized })
      : new http.Agent({ keepAlive: true, maxSockets: 2 });
  // Required here, not imported: node-influx and its dependencies cost ~3 MB of RSS that an agent
  // without InfluxDB should not pay (docs/resources.md).
  const { InfluxDB } = createRequire(import.meta.url)('influx') as { InfluxDB: typeof InfluxDBClass };
  const influx = new InfluxDB({
    host: target.host,
    port: target.port,
    protocol: target.protocol,
    path: target.path,
    database: target.database,
    // node-influx fills a missing user with root/root and sends it; null (not undefined) survives
    // its defaults and sends no Authorization header at all. The cast: its types only say string.
    ...(target.username === undefined
      ? { username: null as unknown as string }
      : { username: target.username, password: target.password ?? '' }),
    options: { agent, rejectUnauthorized: options.rejectUnauthorized },
    pool: { maxRetries: 0, requestTimeout: options.requestTimeoutMs, backoff: NEVER_DISABLE },
    schema: influxSchemas(target.database),
  });
  const auth = target.username === undefined ? undefined : `${target.username}:${target.password ?? ''}`;
  const request = target.protocol === 'https' ? https.request : http.request;
  /** What every request shares: the server, the agent (TLS settings), the credentials. */
  const base = { host: target.host, port: target.port, agent, ...(auth === undefined ? {} : { auth }) };
  const writePath = `${target.path}/write?${new URLSearchParams({
    db: target.database,
    rp: target.retentionPolicy,
    precision: 'u',
  }).toString()}`;

  const write = (body: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          ...base,
          path: writePath,
          method: 'POST',
          timeout: options.requestTimeoutMs,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          res.on('error', reject);
          if (status >= 200 && status < 300) {
            res.on('end', () => resolve());
            res.resume(); // drain, so the keep-alive socket goes back to the agent
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < ERROR_BODY_MAX) text += chunk;
          });
          res.on('end', () => reject(new InfluxHttpError(status, text.slice(0, ERROR_BODY_MAX).trim())));
        },
      );
      req.on('timeout', () => {
        const err = Object.assign(new Error(`no answer in ${options.requestTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        req.destroy(err);
      });
      req.on('error', reject);
      req.end(body);
    });

  const ping = (timeoutMs: number, signal?: AbortSignal): Promise<PingAnswer> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (answer: PingAnswer): void => {
        if (settled) return;
        settled = true;
        resolve(answer);
      };
      if (signal?.aborted === true) {
        settle({ answered: false, detail: 'aborted' });
        return;
      }
      const req = request(
        {
          ...base,
          path: `${target.path}/ping`,
          method: 'GET',
          timeout: timeoutMs,
          ...(signal === undefined ? {} : { signal }),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          res.resume(); // drain, so the keep-alive socket goes back to the agent
          settle({ answered: status > 0 && status < 500, status, detail: `HTTP ${status}` });
        },
      );
      req.on('timeout', () => {
        settle({ answered: false, detail: `timeout after ${timeoutMs} ms` });
        req.destroy();
      });
      req.on('error', (err) => settle({ answered: false, detail: err.message }));
      req.end();
    });
  return {
    influx,
    write,
    ping,
    close: () => agent.destroy(),
  };
}
