/**
 * The client's own HTTP requests, against a loopback HTTP server standing in for InfluxDB (or the
 * reverse proxy in front of it); the real influxd is in tests/integration/influx.
 * - POST /write: behind the URL's path prefix, with database, policy and precision, the configured
 *   credentials and the lines as the body; an error status rejects with InfluxDB's own text, and a
 *   server that takes the request and never answers times out (classified as such).
 * - With an API token: the v2 path and `Authorization: Token` on writes and pings; a token a
 *   server echoes in its error body is blanked out.
 * - GET /ping for the outage probe: "answered" for any status below 500 (a 401 from a server that
 *   wants credentials for /ping is a server that is up), not for a 5xx, a refused connection, a
 *   timeout or an abort.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createInfluxClient,
  InfluxHttpError,
  type InfluxClient,
  type InfluxTarget,
} from '../../../src/outputs/influx/client.js';
import { classifyWriteError } from '../../../src/outputs/influx/failures.js';

interface Seen {
  path: string;
  authorization: string | undefined;
  body?: string;
  socket?: number;
}

const servers: http.Server[] = [];
const clients: InfluxClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function server(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const sockets = new Map<unknown, number>();
  const s = http.createServer((req, res) => {
    if (req.method === 'GET') {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      answer(req, res);
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size + 1);
      seen.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body,
        socket: sockets.get(req.socket),
      });
      answer(req, res);
    });
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as AddressInfo).port, seen };
}

function client(port: number, extra: Partial<InfluxTarget> = {}, requestTimeoutMs = 5_000): InfluxClient {
  const target: InfluxTarget = {
    url: `http://127.0.0.1:${port}`,
    protocol: 'http',
    host: '127.0.0.1',
    port,
    path: '',
    database: 'lineside',
    retentionPolicy: 'lineside',
    ...extra,
  };
  const c = createInfluxClient(target, { rejectUnauthorized: true, requestTimeoutMs });
  clients.push(c);
  return c;
}

const status = (code: number) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.statusCode = code;
  res.end();
};

describe('InfluxClient.ping', () => {
  it('answers true for 204, behind the path prefix, without credentials when none are configured', async () => {
    const { port, seen } = await server(status(204));
    expect(await client(port, { path: '/influx' }).ping(1_000)).toEqual({
      answered: true,
      status: 204,
      detail: 'HTTP 204',
    });
    expect(seen).toEqual([{ path: '/influx/ping', authorization: undefined }]);
  });

  it('sends the configured credentials, and counts a 401 as a server that answers', async () => {
    const { port, seen } = await server(status(401));
    expect(await client(port, { username: 'writer', password: 's3cret' }).ping(1_000)).toMatchObject({
      answered: true,
      status: 401,
    });
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('writer:s3cret').toString('base64')}`);
  });

  it('does not count a 5xx (a proxy whose InfluxDB is down) as answered', async () => {
    const { port } = await server(status(502));
    expect(await client(port).ping(1_000)).toMatchObject({ answered: false, status: 502 });
  });

  it('does not count a refused connection', async () => {
    const { port } = await server(status(204));
    const s = servers.pop() as http.Server;
    await new Promise((resolve) => s.close(resolve));
    const answer = await client(port).ping(1_000);
    expect(answer.answered).toBe(false);
    expect(answer.detail).toMatch(/ECONNREFUSED/);
  });

  it('gives up after its timeout, and at once when aborted', async () => {
    const { port } = await server(() => undefined); // accepts, never answers
    expect(await client(port).ping(200)).toEqual({ answered: false, detail: 'timeout after 200 ms' });
    const controller = new AbortController();
    const pending = client(port).ping(10_000, controller.signal);
    controller.abort();
    expect((await pending).answered).toBe(false);
    expect((await client(port).ping(10_000, controller.signal)).detail).toBe('aborted');
  });
});

describe('InfluxClient.write', () => {
  it('posts the lines behind the path prefix, with database, policy, precision and credentials, on one kept-alive socket', async () => {
    const { port, seen } = await server(status(204));
    const c = client(port, { path: '/influx', username: 'writer', password: 'p@ss:w', retentionPolicy: 'ninety days' });
    await c.write('sample,site=a value=1 1\nsample,site=a value=2 2');
    await c.write('sample,site=a value=3 3');
    expect(seen).toEqual([
      {
        path: '/influx/write?db=lineside&rp=ninety+days&precision=u',
        authorization: `Basic ${Buffer.from('writer:p@ss:w').toString('base64')}`,
        body: 'sample,site=a value=1 1\nsample,site=a value=2 2',
        socket: 1,
      },
      {
        path: '/influx/write?db=lineside&rp=ninety+days&precision=u',
        authorization: `Basic ${Buffer.from('writer:p@ss:w').toString('base64')}`,
        body: 'sample,site=a value=3 3',
        socket: 1,
      },
    ]);
  });

  it('with a token: v2 path, Token header instead of Basic auth, also on /ping', async () => {
    const { port, seen } = await server(status(204));
    const c = client(port, {
      token: { scheme: 'Token', value: 'tok-abcdef' },
      v2: { org: 'acme', bucket: 'line/90d' },
    });
    await c.write('sample,site=a value=1 1');
    await c.ping(1_000);
    expect(seen).toEqual([
      {
        path: '/api/v2/write?org=acme&bucket=line%2F90d&precision=us',
        authorization: 'Token tok-abcdef',
        body: 'sample,site=a value=1 1',
        socket: 1,
      },
      { path: '/ping', authorization: 'Token tok-abcdef' },
    ]);
  });

  it('blanks the token out of an error body that echoes it (a proxy showing the request)', async () => {
    const { port } = await server((req, res) => {
      res.statusCode = 401;
      res.end(`{"code":"unauthorized","message":"bad ${req.headers.authorization ?? ''}"}`);
    });
    const err: unknown = await client(port, { token: { scheme: 'Bearer', value: 'tok-abcdef' } })
      .write('sample,site=a value=1 1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxHttpError);
    expect(String(err)).not.toContain('tok-abcdef');
    expect(classifyWriteError(err)).toMatchObject({ kind: 'auth', status: 401, detail: 'bad Bearer [redacted]' });
  });

  it("rejects an error status with InfluxDB's own text, which says which points were dropped", async () => {
    const body =
      '{"error":"partial write: field type conflict: input field \\"value\\" on measurement \\"sample\\" is type float, already exists as type string dropped=1"}';
    const { port } = await server((_req, res) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
    const err: unknown = await client(port)
      .write('sample,site=a value=1 1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxHttpError);
    expect(classifyWriteError(err)).toMatchObject({ kind: 'bad-points', status: 400, dropped: 1 });
  });

  it('names a 404 without a body by its status, and keeps working after it', async () => {
    let first = true;
    const { port } = await server((_req, res) => {
      res.statusCode = first ? 404 : 204;
      first = false;
      res.end();
    });
    const c = client(port);
    await expect(c.write('sample,site=a value=1 1')).rejects.toThrow('HTTP 404');
    await expect(c.write('sample,site=a value=1 1')).resolves.toBeUndefined();
  });

  it('times out on a server that takes the request and never answers', async () => {
    const { port } = await server(() => undefined);
    const err: unknown = await client(port, {}, 200)
      .write('sample,site=a value=1 1')
      .catch((e: unknown) => e);
    expect(classifyWriteError(err)).toMatchObject({ kind: 'retry', transport: 'timeout' });
  });

  it('names a refused connection', async () => {
    const { port } = await server(status(204));
    const s = servers.pop() as http.Server;
    await new Promise((resolve) => s.close(resolve));
    const err: unknown = await client(port)
      .write('sample,site=a value=1 1')
      .catch((e: unknown) => e);
    expect(classifyWriteError(err)).toMatchObject({ kind: 'retry', transport: 'no-answer' });
  });
});
