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
 *   ping-auth-enabled answers 204 to them; 1.x without it ignores them). InfluxDB 2.x and 3.x
 *   answer /ping too (3.x may want the token for it, which it gets).
 * - Writes go to v1 `/write` or v2 `/api/v2/write` (target.ts), with Basic auth or the API token;
 *   node-influx (set-up queries, InfluxDB 1.x only) is loaded only when the set-up runs.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { InfluxDB as InfluxDBClass } from 'influx';
import { influxSchemas } from './schema.js';
import { authOptions, redactSecrets, writePath as writePathOf, type InfluxTarget } from './target.js';

export { influxTarget, redactInfluxUrl, type InfluxConfig, type InfluxTarget } from './target.js';

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
  /**
   * node-influx, for the database set-up queries on InfluxDB 1.x (setup.ts); writes do not go
   * through it. Created on first use.
   */
  readonly influx: InfluxDBClass;
  /**
   * POST <url>/write?db=&rp=&precision=u (v2: /api/v2/write?org=&bucket=&precision=us) with `body`
   * (line protocol). Resolves on 2xx; rejects with an InfluxHttpError for any other status (its
   * body with the token and password blanked out), or the network error (with its code), or an
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
  let influx: InfluxDBClass | undefined;
  const influxClient = (): InfluxDBClass => {
    if (influx !== undefined) return influx;
    // Required here, not imported: node-influx and its dependencies cost ~3 MB of RSS that an agent
    // without InfluxDB 1.x set-up should not pay (docs/resources.md).
    const { InfluxDB } = createRequire(import.meta.url)('influx') as { InfluxDB: typeof InfluxDBClass };
    influx = new InfluxDB({
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
    return influx;
  };
  const request = target.protocol === 'https' ? https.request : http.request;
  const credentials = authOptions(target);
  /** What every request shares: the server, the agent (TLS settings), Basic credentials. */
  const base = {
    host: target.host,
    port: target.port,
    agent,
    ...(credentials.auth === undefined ? {} : { auth: credentials.auth }),
  };
  /** The token, when there is one: an `authorization` header on every request. */
  const tokenHeaders = credentials.headers ?? {};
  const writePath = writePathOf(target);

  const write = (body: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          ...base,
          path: writePath,
          method: 'POST',
          timeout: options.requestTimeoutMs,
          headers: {
            ...tokenHeaders,
            'content-type': 'text/plain; charset=utf-8',
            'content-length': Buffer.byteLength(body),
          },
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
          res.on('end', () =>
            reject(new InfluxHttpError(status, redactSecrets(text.slice(0, ERROR_BODY_MAX).trim(), target))),
          );
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
          headers: tokenHeaders,
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
    get influx() {
      return influxClient();
    },
    write,
    ping,
    close: () => agent.destroy(),
  };
}
