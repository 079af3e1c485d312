/**
 * The HTTP edges, against a real listening server on 127.0.0.1 with raw sockets where `inject()`
 * cannot show what happens on the wire: an oversized upload is answered 413 and the client gets
 * to read the answer (no reset under a client that sends the whole body before it reads), a
 * chunked upload is refused as soon as it passes the limit, `X-Content-Type-Options: nosniff` is
 * on every kind of response, and every 4xx/5xx — Fastify's and Node's own refusals too — has the
 * documented `{error: {code, message}}` shape with the status of its code.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { API_ERRORS, type ApiErrorCode } from '../../../src/server/http-errors.js';
import { BODY_LIMIT_BYTES, DRAIN_IDLE_MS } from '../../../src/server/request-limits.js';
import {
  createHarness,
  OPERATOR_TOKEN,
  testConfig,
  VIEW_TOKEN,
  type Harness,
  type HarnessOptions,
} from './support/harness.js';

let h: Harness | undefined;
const open: Socket[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await h?.close();
  h = undefined;
});

async function listening(options: HarnessOptions = {}): Promise<{ h: Harness; port: number }> {
  h = await createHarness(options);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return { h, port: address.port };
}

const TEN_MB = 10 * 1024 * 1024;
const op = `Authorization: Bearer ${OPERATOR_TOKEN}\r\n`;

interface Parsed {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The first HTTP response in what a raw socket received (interim 1xx responses included). */
function parse(text: string): Parsed {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4, end + 4 + length) };
}

/** Asserts the documented error shape, the status of its code, JSON and nosniff. */
function expectCodedError(
  res: { status: number; headers: Readonly<Record<string, string | string[] | undefined>>; body: string },
  code: ApiErrorCode,
): void {
  expect(res.status, res.body).toBe(API_ERRORS[code]);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  const body = JSON.parse(res.body) as unknown;
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect((body as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
}

/** A raw connection that records everything it receives, and how it ended. */
class RawClient {
  received = '';
  ended = false;
  error: string | undefined;
  readonly socket: Socket;
  readonly closed: Promise<void>;
  constructor(port: number, paused = false) {
    this.socket = connect(port, '127.0.0.1');
    open.push(this.socket);
    if (paused) this.socket.pause();
    this.socket.on('data', (d: Buffer) => (this.received += d.toString('latin1')));
    this.socket.on('end', () => (this.ended = true));
    this.socket.on('error', (e: NodeJS.ErrnoException) => (this.error ??= e.code ?? e.message));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }
  /** Resolves once the kernel took the bytes; rejects with the socket error (EPIPE, ECONNRESET). */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }
  async until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received.slice(0, 300))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  hasResponse(): boolean {
    const end = this.received.indexOf('\r\n\r\n');
    return end >= 0 && this.received.length >= end + 4 + Number(/content-length: (\d+)/i.exec(this.received)?.[1] ?? 0);
  }
}

/** `body` as chunked transfer coding, in 64 KiB chunks, with the terminating chunk. */
function chunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += 64 * 1024) {
    const part = body.subarray(i, i + 64 * 1024);
    parts.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/**
 * The client that lost the 413 before: it writes the whole request, and only then reads (as
 * Python's http.client and requests do). A server that closes while body bytes are still
 * arriving resets the connection, and this write fails with EPIPE/ECONNRESET.
 */
async function sendAllThenRead(
  port: number,
  head: string,
  body: Buffer,
): Promise<{ writeError: string | undefined; client: RawClient }> {
  const client = new RawClient(port, true);
  let writeError: string | undefined;
  try {
    await client.write(head);
    await client.write(body);
  } catch (err) {
    writeError = (err as NodeJS.ErrnoException).code ?? String(err);
  }
  client.socket.resume();
  await client.closed;
  return { writeError, client };
}

describe('a body over the limit (16 KiB)', () => {
  it('10 MB with Content-Length: 413 in the coded shape, read by a client that sends everything first; then the server closes', async () => {
    const { port } = await listening();
    for (const auth of [op, '']) {
      const head = `POST /api/alerts/a1/ack HTTP/1.1\r\nHost: pi\r\n${auth}Content-Type: application/json\r\nContent-Length: ${TEN_MB}\r\n\r\n`;
      const { writeError, client } = await sendAllThenRead(port, head, Buffer.alloc(TEN_MB, 'a'));
      expect(writeError, `the upload was cut off (${auth === '' ? 'no token' : 'operator'})`).toBeUndefined();
      expect(client.error).toBeUndefined();
      const res = parse(client.received);
      // The size is refused before the guard: the same answer with or without a token.
      expectCodedError(res, 'PAYLOAD_TOO_LARGE');
      expect(JSON.parse(res.body).error.message).toContain(String(BODY_LIMIT_BYTES));
      expect(res.headers.connection).toBe('close');
      // A polite close: the server's FIN, not a reset.
      expect(client.ended).toBe(true);
    }
  });

  it('answers before reading the body: the 413 arrives while the client has sent none of it', async () => {
    const { port } = await listening();
    const client = new RawClient(port);
    await client.write(
      `POST /api/alerts/a1/ack HTTP/1.1\r\nHost: pi\r\n${op}Content-Type: application/json\r\nContent-Length: ${TEN_MB}\r\n\r\n`,
    );
    await client.until('the 413', () => client.hasResponse());
    expectCodedError(parse(client.received), 'PAYLOAD_TOO_LARGE');
    expect(client.ended).toBe(false);
    // The client goes quiet without sending the body: the server closes after the idle drain time.
    const started = Date.now();
    await client.closed;
    expect(client.ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(DRAIN_IDLE_MS + 3_000);
  });

  it('node:http posting 10 MB gets the 413 and no socket error', async () => {
    const { port } = await listening();
    const result = await new Promise<{ status?: number; headers?: IncomingHttpHeaders; body: string; error?: string }>(
      (resolve) => {
        const out: { status?: number; headers?: IncomingHttpHeaders; body: string; error?: string } = { body: '' };
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/alerts/a1/ack',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${OPERATOR_TOKEN}`,
              'content-length': TEN_MB,
            },
          },
          (res) => {
            out.status = res.statusCode;
            out.headers = res.headers;
            res.setEncoding('utf8');
            res.on('data', (d: string) => (out.body += d));
          },
        );
        req.on('error', (e: NodeJS.ErrnoException) => (out.error = e.code ?? e.message));
        req.on('close', () => resolve(out));
        req.end(Buffer.alloc(TEN_MB, 'a'));
      },
    );
    expect(result.error).toBeUndefined();
    expectCodedError(
      { status: result.status ?? 0, headers: result.headers ?? {}, body: result.body },
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('chunked: 413 as soon as the body passes the limit, while the upload is still open', async () => {
    const { port } = await listening();
    const client = new RawClient(port);
    await client.write(
      `POST /api/alerts/a1/ack HTTP/1.1\r\nHost: pi\r\n${op}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = Buffer.alloc(8 * 1024, 'a');
    let sent = 0;
    // Under the limit: no answer yet.
    for (; sent + chunk.length <= BODY_LIMIT_BYTES; sent += chunk.length)
      await client.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    await new Promise((r) => setTimeout(r, 100));
    expect(client.received).toBe('');
    // One more chunk passes it: the answer comes without the body being finished.
    await client.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    await client.until('the 413', () => client.hasResponse());
    const res = parse(client.received);
    expectCodedError(res, 'PAYLOAD_TOO_LARGE');
    expect(res.headers.connection).toBe('close');
    expect(client.ended).toBe(false);
    // The client finishes its body; the server then closes.
    await client.write('0\r\n\r\n');
    await client.closed;
    expect(client.ended).toBe(true);
    expect(client.error).toBeUndefined();
  });

  it('chunked 10 MB from a client that sends everything first: the 413 is read, no reset', async () => {
    const { port } = await listening();
    const head = `POST /api/downtime/dt-1/reason HTTP/1.1\r\nHost: pi\r\n${op}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const { writeError, client } = await sendAllThenRead(port, head, chunked(Buffer.alloc(TEN_MB, 'a')));
    expect(writeError).toBeUndefined();
    expectCodedError(parse(client.received), 'PAYLOAD_TOO_LARGE');
  });

  it('Expect: 100-continue with a body over the limit: 413 instead of 100, so nothing is uploaded', async () => {
    const { port } = await listening();
    const client = new RawClient(port);
    await client.write(
      `POST /api/alerts/a1/ack HTTP/1.1\r\nHost: pi\r\n${op}Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${TEN_MB}\r\n\r\n`,
    );
    await client.until('the 413', () => client.hasResponse());
    expect(client.received).not.toContain('100 Continue');
    expectCodedError(parse(client.received), 'PAYLOAD_TOO_LARGE');
    // A body within the limit still gets its 100 and goes through.
    const ok = new RawClient(port);
    const body = '{"by":"Anna"}';
    h?.fake.raiseAlert('weld', 'a1');
    await ok.write(
      `POST /api/alerts/a1/ack HTTP/1.1\r\nHost: pi\r\n${op}Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    await ok.until('the 100', () => ok.received.includes('100 Continue\r\n\r\n'));
    await ok.write(body);
    await ok.until('the answer', () => /HTTP\/1\.1 200/.test(ok.received));
  });

  it('keeps the connection for a small body refused before it was read (401), as before', async () => {
    const { port } = await listening();
    const client = new RawClient(port);
    const body = '{"reason":"die-jam"}';
    await client.write(
      `POST /api/downtime/dt-1/reason HTTP/1.1\r\nHost: pi\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await client.until('the 401', () => client.hasResponse());
    const res = parse(client.received);
    expectCodedError(res, 'UNAUTHORIZED');
    expect(res.headers.connection).toBe('keep-alive');
    client.received = '';
    await client.write('GET /healthz HTTP/1.1\r\nHost: pi\r\n\r\n');
    await client.until('the second answer', () => client.hasResponse());
    expect(parse(client.received).status).toBe(200);
  });
});

describe('the coded error shape from Fastify and Node', () => {
  it('8,000-character path parameter: 414 URI_TOO_LONG, without echoing the path', async () => {
    const { port } = await listening();
    for (const path of [
      `/api/stations/${'x'.repeat(8_000)}/history`,
      `/static/${'y'.repeat(8_000)}`,
      `/api/alerts/${'z'.repeat(8_000)}/ack`,
    ]) {
      const client = new RawClient(port);
      const method = path.endsWith('/ack') ? 'POST' : 'GET';
      await client.write(`${method} ${path} HTTP/1.1\r\nHost: pi\r\n${op}Connection: close\r\n\r\n`);
      await client.closed;
      const res = parse(client.received);
      expectCodedError(res, 'URI_TOO_LONG');
      expect(res.body.length).toBeLessThan(200);
    }
  });

  it('bad JSON 400, unknown route 404, wrong media type 415, bad percent-encoding 400, a server fault 500', async () => {
    const { h, port } = await listening();
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    const id = h.fake.breakdown('press');
    const cases: Array<[ApiErrorCode, string, RequestInit]> = [
      [
        'BAD_REQUEST',
        `/api/downtime/${id}/reason`,
        { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"reason":' },
      ],
      [
        'BAD_REQUEST',
        `/api/downtime/${id}/reason`,
        { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '' },
      ],
      ['NOT_FOUND', '/api/nothing', {}],
      ['NOT_FOUND', `/api/${'n'.repeat(3000)}`, {}],
      ['NOT_FOUND', '/healthz', { method: 'DELETE' }],
      [
        'UNSUPPORTED_MEDIA_TYPE',
        `/api/downtime/${id}/reason`,
        { method: 'POST', headers: { ...auth, 'content-type': 'application/xml' }, body: '<reason/>' },
      ],
      ['BAD_REQUEST', '/static/%E0%A4%A', {}],
      ['BAD_REQUEST', '/api/alerts?status=sleeping', {}],
      [
        'UNAUTHORIZED',
        `/api/downtime/${id}/reason`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
      ],
    ];
    for (const [code, path, init] of cases) {
      const res = await fetch(base + path, init);
      expectCodedError({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }, code);
    }
    const long = await fetch(`${base}/api/${'n'.repeat(3000)}`);
    expect(((await long.json()) as { error: { message: string } }).error.message.length).toBeLessThan(300);

    h.fake.snapshot = () => {
      throw new Error('core exploded with a secret detail');
    };
    const fault = await fetch(`${base}/api/snapshot`);
    const body = await fault.text();
    expectCodedError({ status: fault.status, headers: Object.fromEntries(fault.headers), body }, 'INTERNAL');
    expect(body).not.toContain('secret');
  });

  it("Node's own refusals below Fastify: malformed request 400, headers too large 431, unknown Expect 417", async () => {
    const { port } = await listening();
    const cases: Array<[ApiErrorCode, string]> = [
      ['BAD_REQUEST', 'NOT HTTP AT ALL\r\n\r\n'],
      ['BAD_REQUEST', 'GET / HTTP/1.1\r\nHost: pi\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
      ['HEADERS_TOO_LARGE', `GET /healthz HTTP/1.1\r\nHost: pi\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
      ['EXPECTATION_FAILED', 'GET /healthz HTTP/1.1\r\nHost: pi\r\nExpect: a-pony\r\n\r\n'],
    ];
    for (const [code, request] of cases) {
      const client = new RawClient(port);
      await client.write(request).catch(() => undefined);
      await client.until(code, () => client.hasResponse());
      const res = parse(client.received);
      expectCodedError(res, code);
      expect(res.headers.connection).toBe('close');
      await client.closed;
    }
  });

  it("a broken websocket handshake: 400 in the coded shape, not the ws library's text/html", async () => {
    const { port } = await listening();
    const client = new RawClient(port);
    await client.write(
      'GET /ws HTTP/1.1\r\nHost: pi\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    await client.until('the 400', () => client.hasResponse());
    expectCodedError(parse(client.received), 'BAD_REQUEST');
  });
});

describe('X-Content-Type-Options: nosniff', () => {
  it('is on every kind of response: page, login page, assets, 304, API, metrics, probes, errors, 404, websocket refusals', async () => {
    const { h, port } = await listening({
      config: testConfig({ viewToken: VIEW_TOKEN, operatorToken: OPERATOR_TOKEN }),
    });
    const base = `http://127.0.0.1:${port}`;
    const view = { authorization: `Bearer ${VIEW_TOKEN}` };
    const js = await fetch(`${base}/static/app.js`);
    const etag = js.headers.get('etag') ?? '';
    const requests: Array<[string, number, RequestInit]> = [
      ['/', 200, { headers: view }],
      ['/', 401, {}],
      [`/?token=${VIEW_TOKEN}`, 303, { redirect: 'manual' }],
      ['/static/app.js', 200, {}],
      ['/static/styles.css', 200, {}],
      ['/static/app.js', 304, { headers: { 'if-none-match': etag } }],
      ['/static/nope.js', 404, {}],
      ['/api/snapshot', 200, { headers: view }],
      ['/api/snapshot', 401, {}],
      ['/api/session', 200, { headers: view }],
      ['/metrics', 200, { headers: view }],
      ['/metrics', 401, {}],
      ['/healthz', 200, {}],
      ['/healthz', 200, { method: 'HEAD' }],
      ['/readyz', 200, {}],
      ['/nothing', 404, { headers: view }],
      // With a view token, unknown routes need it too: they reveal nothing to a stranger.
      ['/nothing', 401, {}],
      [
        '/api/login',
        200,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: OPERATOR_TOKEN }),
        },
      ],
      ['/api/login', 400, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
      [
        '/api/login',
        403,
        { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{}' },
      ],
    ];
    for (const [path, status, init] of requests) {
      const res = await fetch(base + path, init);
      expect(res.status, `${init.method ?? 'GET'} ${path}`).toBe(status);
      expect(res.headers.get('x-content-type-options'), `${init.method ?? 'GET'} ${path}`).toBe('nosniff');
      await res.arrayBuffer();
    }
    h.health.spoolStatus = { depth: 0, bytes: 0, dropped: 0, errors: 1, writable: false, lastError: 'disk full' };
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('x-content-type-options')).toBe('nosniff');

    // Websocket refusals answer the upgrade request with a plain HTTP response.
    const refusals: Array<[number, Record<string, string>]> = [
      [401, {}],
      [403, { ...view, origin: 'http://evil.example' }],
    ];
    for (const [status, headers] of refusals) {
      const response = await new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
        ws.on('unexpected-response', (_req, res) => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
          ws.terminate();
        });
        ws.on('open', () => reject(new Error('upgraded')));
        ws.on('error', () => undefined);
      });
      expect(response.status).toBe(status);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    // The accepted upgrade is not an HTTP response with a body; it still works.
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: view });
      ws.once('message', () => {
        ws.close();
        resolve();
      });
      ws.once('error', reject);
    });
  });
});
