/**
 * A loopback stand-in for an InfluxDB 2.x server, for what cannot be installed here (Debian has
 * only influxd 1.6.7). It answers the way 2.x does, in 2.x's JSON error format
 * (`{"code": "...", "message": "..."}`), and records every request:
 * - `POST /api/v2/write?org=&bucket=&precision=` and the v1 compatibility `POST /write?db=&rp=`
 *   (the db/rp is mapped to a bucket through explicit DBRP mappings, or 2.x's "virtual" ones: a
 *   bucket named `db/rp`, or `db` for rp `autogen`);
 * - `Authorization: Token <t>` is checked against the accepted tokens: 401 `unauthorized` when
 *   missing or wrong (also 401 for Basic credentials: this stand-in knows no v1 users);
 * - an unknown bucket: 404 `bucket "x" not found` (v2), `no dbrp mapping found` (v1);
 * - a line it cannot parse: 400 `invalid`, a field whose type differs from the first one written
 *   to it: 422 `unprocessable entity` (or 400, typeConflictStatus) `... partial write: field type
 *   conflict ... dropped=N`; the other lines of the request are written,
 *   as InfluxDB does (a partial write);
 * - `GET /ping` 204 and `GET /health` 200, without auth (2.x's defaults).
 * Points are kept per bucket by series key and timestamp, so a point written twice overwrites
 * itself as in InfluxDB; `accepted` keeps every accepted line, so a duplicate delivery shows.
 * stop()/start() take it down and bring it back on the same port (an outage).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from './ports.js';

export interface StandinRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly status: number;
}

export interface StandinOptions {
  /** Tokens that may write ("Token <t>"). */
  readonly tokens: readonly string[];
  /** Buckets that exist (one organization). */
  readonly buckets: readonly string[];
  readonly org?: string;
  /** Explicit DBRP mappings: v1 db/rp to a bucket. */
  readonly dbrp?: ReadonlyArray<{ readonly db: string; readonly rp: string; readonly bucket: string }>;
  /** Status of a partial write with field type conflicts: 422 (2.x today) or 400 (older 2.x, 1.x). */
  readonly typeConflictStatus?: 400 | 422;
}

export interface Influx2Standin {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly requests: StandinRequest[];
  /** Every line the stand-in accepted, in order, with its bucket (a line sent twice appears twice). */
  readonly accepted: Array<{ readonly bucket: string; readonly line: string }>;
  /** The points a bucket holds, one per series and timestamp (what a query would see). */
  points(bucket: string): string[];
  /** Refuses connections until start() (the port stays reserved for it). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

type FieldType = 'float' | 'integer' | 'string' | 'boolean';

/** Splits on `sep` outside double quotes and not escaped with a backslash. */
function splitUnquoted(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

function fieldType(value: string): FieldType | undefined {
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) return 'string';
  if (/^-?\d+i$/.test(value)) return 'integer';
  if (/^(t|T|true|True|TRUE|f|F|false|False|FALSE)$/.test(value)) return 'boolean';
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return 'float';
  return undefined;
}

interface ParsedLine {
  readonly measurement: string;
  /** Series key and timestamp: two lines with the same key are the same point. */
  readonly key: string;
  readonly fields: ReadonlyArray<readonly [string, FieldType]>;
}

function parseLine(line: string): ParsedLine | string {
  const parts = splitUnquoted(line, ' ');
  if (parts.length !== 3) return 'expected a series key, a field set and a timestamp';
  const [series, fieldSet, time] = parts as [string, string, string];
  if (!/^-?\d+$/.test(time)) return `bad timestamp "${time}"`;
  const fields: Array<[string, FieldType]> = [];
  for (const pair of splitUnquoted(fieldSet, ',')) {
    const eq = pair.indexOf('=');
    const type = eq > 0 ? fieldType(pair.slice(eq + 1)) : undefined;
    if (type === undefined) return `invalid field format "${pair}"`;
    fields.push([pair.slice(0, eq), type]);
  }
  const measurement = splitUnquoted(series, ',')[0] as string;
  return { measurement, key: `${series} ${time}`, fields };
}

function json(res: http.ServerResponse, status: number, body?: { code: string; message: string }): number {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
  } else {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
  return status;
}

export async function startInflux2Standin(options: StandinOptions): Promise<Influx2Standin> {
  const port = await freePort();
  const org = options.org ?? 'acme';
  const requests: StandinRequest[] = [];
  const accepted: Array<{ bucket: string; line: string }> = [];
  const stored = new Map<string, Map<string, string>>();
  /** Field types per bucket and measurement: the first write of a field fixes its type. */
  const types = new Map<string, FieldType>();

  const bucketOfDbrp = (db: string, rp: string): string | undefined => {
    const explicit = options.dbrp?.find((m) => m.db === db && m.rp === rp);
    if (explicit !== undefined) return explicit.bucket;
    if (options.buckets.includes(`${db}/${rp}`)) return `${db}/${rp}`;
    if (rp === 'autogen' && options.buckets.includes(db)) return db;
    return undefined;
  };

  const write = (bucket: string, body: string, res: http.ServerResponse): number => {
    const unparsable: string[] = [];
    const conflicts: string[] = [];
    const points = stored.get(bucket) ?? new Map<string, string>();
    stored.set(bucket, points);
    for (const line of body.split('\n')) {
      if (line.trim() === '') continue;
      const parsed = parseLine(line);
      if (typeof parsed === 'string') {
        unparsable.push(`unable to parse '${line}': ${parsed}`);
        continue;
      }
      const conflict = parsed.fields.find(([name, type]) => {
        const known = types.get(`${bucket}\u0000${parsed.measurement}\u0000${name}`);
        return known !== undefined && known !== type;
      });
      if (conflict !== undefined) {
        const known = types.get(`${bucket}\u0000${parsed.measurement}\u0000${conflict[0]}`) as FieldType;
        conflicts.push(
          `field type conflict: input field "${conflict[0]}" on measurement "${parsed.measurement}" is type ${conflict[1]}, already exists as type ${known}`,
        );
        continue;
      }
      for (const [name, type] of parsed.fields) types.set(`${bucket}\u0000${parsed.measurement}\u0000${name}`, type);
      points.set(parsed.key, line);
      accepted.push({ bucket, line });
    }
    if (unparsable.length > 0) return json(res, 400, { code: 'invalid', message: unparsable.join('\n') });
    if (conflicts.length > 0)
      return json(res, options.typeConflictStatus ?? 422, {
        code: options.typeConflictStatus === 400 ? 'invalid' : 'unprocessable entity',
        message: `failure writing points to database: partial write: ${conflicts[0] ?? ''} dropped=${conflicts.length}`,
      });
    return json(res, 204);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: string): number => {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (req.method === 'GET' && url.pathname === '/ping') {
      res.setHeader('x-influxdb-version', 'v2.7.0-standin');
      return json(res, 204);
    }
    if (req.method === 'GET' && url.pathname === '/health')
      return json(res, 200, { code: 'pass', message: 'ready for queries and writes' });
    if (req.method !== 'POST' || (url.pathname !== '/write' && url.pathname !== '/api/v2/write'))
      return json(res, 404, { code: 'not found', message: 'path not found' });
    const auth = req.headers.authorization ?? '';
    const token = /^Token (.+)$/.exec(auth)?.[1];
    if (token === undefined || !options.tokens.includes(token))
      return json(res, 401, { code: 'unauthorized', message: 'unauthorized access' });
    if (url.pathname === '/api/v2/write') {
      const bucket = url.searchParams.get('bucket') ?? '';
      if (url.searchParams.get('org') !== org)
        return json(res, 404, {
          code: 'not found',
          message: `organization name "${url.searchParams.get('org') ?? ''}" not found`,
        });
      if (!options.buckets.includes(bucket))
        return json(res, 404, { code: 'not found', message: `bucket "${bucket}" not found` });
      return write(bucket, body, res);
    }
    const bucket = bucketOfDbrp(url.searchParams.get('db') ?? '', url.searchParams.get('rp') ?? 'autogen');
    if (bucket === undefined) return json(res, 404, { code: 'not found', message: 'no dbrp mapping found' });
    return write(bucket, body, res);
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const status = handle(req, res, body);
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
        status,
      });
    });
  });

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      // Keep-alive sockets would keep answering: an outage drops them too.
      server.closeAllConnections();
    });
  await start();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    accepted,
    points: (bucket) => [...(stored.get(bucket)?.values() ?? [])],
    stop,
    start,
    close: stop,
  };
}
