/**
 * Where and how the InfluxDB writer sends (pure): the server from `influx.url`, the endpoint
 * (v1 `/write?db=&rp=` or v2 `/api/v2/write?org=&bucket=`) and the credentials (Basic auth from
 * username/password, or an API token in `Authorization: Token ...`). Which of InfluxDB 1.x, 2.x,
 * 3.x or QuestDB takes which: docs/influxdb.md#influxdb-2x--3x-questdb.
 */
import type { LinesideConfig } from '../../config/schema.js';
import { LinesideError } from '../../lib/errors.js';

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
  /** An API token (InfluxDB 2.x/3.x, QuestDB Enterprise), sent instead of Basic auth. Never logged. */
  readonly token?: { readonly scheme: 'Token' | 'Bearer'; readonly value: string };
  /** The v1 API's database (InfluxDB 2.x: the db of the bucket's DBRP mapping). */
  readonly database: string;
  readonly retentionPolicy: string;
  /** Present when writes go to `/api/v2/write` (influx.api: v2) instead of the v1 `/write`. */
  readonly v2?: { readonly org: string; readonly bucket: string };
}

/**
 * Timestamp precision of every write. The points carry microseconds (points.ts: a cycle's
 * sequence number sits in the sub-millisecond digits), so the precision must say so: v1 spells
 * it `u`, v2 `us`.
 */
const PRECISION = { v1: 'u', v2: 'us' } as const;

/** Path and query of a write: behind the URL's path prefix, naming where the points go. */
export function writePath(target: InfluxTarget): string {
  if (target.v2 !== undefined) {
    const query = new URLSearchParams({ org: target.v2.org, bucket: target.v2.bucket, precision: PRECISION.v2 });
    return `${target.path}/api/v2/write?${query.toString()}`;
  }
  const query = new URLSearchParams({ db: target.database, rp: target.retentionPolicy, precision: PRECISION.v1 });
  return `${target.path}/write?${query.toString()}`;
}

/** Where the points go, for logs and health: `bucket "b" (org "o")` or `database "db", policy "rp"`. */
export function describeDestination(target: InfluxTarget): string {
  return target.v2 !== undefined
    ? `bucket "${target.v2.bucket}" (org "${target.v2.org}")`
    : `database "${target.database}", retention policy "${target.retentionPolicy}"`;
}

/**
 * The request options that authenticate: an `authorization` header for a token, node's `auth`
 * (Basic) for a username, nothing otherwise. Every request of the writer (writes, /ping, the
 * set-up queries) authenticates the same way.
 */
export function authOptions(target: InfluxTarget): { auth?: string; headers?: { authorization: string } } {
  if (target.token !== undefined) return { headers: { authorization: `${target.token.scheme} ${target.token.value}` } };
  if (target.username !== undefined) return { auth: `${target.username}:${target.password ?? ''}` };
  return {};
}

/**
 * True when the writer prepares the database over InfluxQL (setup.ts): only InfluxDB 1.x has
 * CREATE DATABASE and retention policies there. A token or the v2 API means InfluxDB 2.x/3.x,
 * whose v1 compatibility API does not create anything (the bucket and its DBRP mapping must
 * exist); `influx.setup: off` is for QuestDB and other servers that take line protocol only.
 */
export function usesInfluxQLSetup(config: InfluxConfig): boolean {
  return config.setup === 'auto' && config.api === 'v1' && (config.token ?? '') === '';
}

/** How the writer authenticates, for health: the kind only, never a value. */
export function authKind(config: InfluxConfig): 'token' | 'basic' | 'none' {
  if ((config.token ?? '') !== '') return 'token';
  if (config.username !== undefined) return 'basic';
  try {
    return new URL(config.url).username === '' ? 'none' : 'basic';
  } catch {
    return 'none';
  }
}

/** Text with the target's secrets (token, password) replaced, for error bodies a proxy may echo. */
export function redactSecrets(text: string, target: InfluxTarget): string {
  let out = text;
  for (const secret of [target.token?.value, target.password]) {
    // Short secrets are not hunted: "1" would redact every digit of a message.
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
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
 * not http(s): the one thing start() refuses, because retrying cannot fix it. The checks across
 * fields (v2 without a bucket, a token with a password) ran when the config was loaded
 * (src/config/cross-checks-influx.ts).
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
      `influx.url "${redactInfluxUrl(config.url)}" must start with http:// or https:// (InfluxDB HTTP API)`,
      { path: ['influx', 'url'] },
    );
  }
  if (config.api === 'v2' && (config.org === undefined || config.bucket === undefined)) {
    // The loader refuses this already; a config built some other way must not write to "undefined".
    throw new LinesideError('CONFIG_INVALID', 'influx.api v2 needs influx.org and influx.bucket', {
      path: ['influx', 'api'],
    });
  }
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const port = parsed.port === '' ? (protocol === 'https' ? 443 : 80) : Number(parsed.port);
  const urlUser = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const urlPassword = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  const username = config.username ?? urlUser;
  const password = config.password ?? urlPassword;
  const token = config.token === undefined || config.token === '' ? undefined : config.token;
  return {
    url: redactInfluxUrl(config.url),
    protocol,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    path: parsed.pathname.replace(/\/+$/, ''),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(token === undefined ? {} : { token: { scheme: config.tokenScheme, value: token } }),
    database: config.database,
    retentionPolicy: config.retentionPolicy.name,
    ...(config.api === 'v2' && config.org !== undefined && config.bucket !== undefined
      ? { v2: { org: config.org, bucket: config.bucket } }
      : {}),
  };
}
