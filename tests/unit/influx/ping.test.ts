/**
 * The client's GET /ping for the outage probe, against a loopback HTTP server: behind the URL's
 * path prefix, with the configured credentials, and "answered" for any status below 500 (a 401
 * from a server that wants credentials for /ping is a server that is up), not for a 5xx, a refused
 * connection, a timeout or an abort.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createInfluxClient, type InfluxClient, type InfluxTarget } from '../../../src/outputs/influx/client.js';

interface Seen {
  path: string;
  authorization: string | undefined;
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
  const s = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    answer(req, res);
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as AddressInfo).port, seen };
}

function client(port: number, extra: Partial<InfluxTarget> = {}): InfluxClient {
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
  const c = createInfluxClient(target, { rejectUnauthorized: true, requestTimeoutMs: 5_000 });
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
