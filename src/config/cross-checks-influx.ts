/**
 * InfluxDB output settings that only make sense together: the URL, the API (v1 /write or
 * v2 /api/v2/write), and how the writer authenticates (username/password or an API token).
 * Runs before `*File` secrets are read (secrets.ts), so `tokenFile` counts as a token here.
 */
import type { Add, Config } from './cross-checks-common.js';

type Influx = NonNullable<Config['influx']>;

const set = (value: unknown): boolean => typeof value === 'string' && value !== '';

/** The key that holds the token in the file: `token` or `tokenFile`. */
function tokenKey(influx: Influx): 'token' | 'tokenFile' | undefined {
  if (set(influx.token)) return 'token';
  if (set(influx.tokenFile)) return 'tokenFile';
  return undefined;
}

/** user:password in influx.url, when the URL parses. */
function urlCredentials(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

export function checkInflux(influx: Influx | undefined, add: Add): void {
  if (influx === undefined) return;
  if (influx.url !== undefined) {
    try {
      const url = new URL(influx.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        add(['influx', 'url'], `use http:// or https://, not "${url.protocol}"`);
    } catch {
      add(['influx', 'url'], `"${influx.url}" is not a URL`);
    }
  }
  const token = tokenKey(influx);
  const basic = set(influx.username) || set(influx.password) || set(influx.passwordFile) || urlCredentials(influx.url);
  if (token !== undefined && basic) {
    add(
      ['influx', token],
      'set either an API token (influx.token) or a username and password (influx.username / influx.password, or user:password in influx.url), not both',
    );
  }
  if (influx.api === 'v2') {
    // /api/v2/write has no database or retention policy: it names the bucket and its organization,
    // and InfluxDB 2.x refuses it without a token (docs/influxdb.md#influxdb-2x--3x-questdb).
    if (!set(influx.bucket)) add(['influx', 'api'], 'influx.api v2 writes to a bucket: set influx.bucket');
    if (!set(influx.org))
      add(['influx', 'api'], 'influx.api v2 needs the organization that owns the bucket: set influx.org');
    if (token === undefined)
      add(['influx', 'api'], 'influx.api v2 authenticates with an API token: set influx.token or influx.tokenFile');
  } else if (influx.api === 'v1') {
    // Over v1 a bucket is reached through its DBRP mapping; a bucket here would be silently ignored.
    for (const key of ['bucket', 'org'] as const) {
      if (set(influx[key]))
        add(
          ['influx', key],
          `influx.${key} is for influx.api: v2; over the v1 API (the default) set influx.database and influx.retentionPolicy.name to the bucket's DBRP mapping, or set influx.api: v2`,
        );
    }
  }
}
