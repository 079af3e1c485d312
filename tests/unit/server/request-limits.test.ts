/**
 * The pieces of the staged close for refused uploads: which requests still have body bytes on the
 * way, and the drain that says when the connection may close: the body is in, the client is
 * quiet or gone, or time is up.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BODY_LIMIT_BYTES,
  bodyStillArriving,
  declaredTooLarge,
  DRAIN_IDLE_MS,
  DRAIN_MAX_MS,
  drainRequestBody,
} from '../../../src/server/request-limits.js';

function request(headers: Record<string, string>, complete?: boolean): IncomingMessage & PassThrough {
  const raw = Object.assign(new PassThrough(), { headers, ...(complete !== undefined ? { complete } : {}) });
  return raw as unknown as IncomingMessage & PassThrough;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('which requests are refused early and drained', () => {
  it('refuses a declared body over the limit; a body within it, none, or a bad header are left alone', () => {
    expect(declaredTooLarge(request({ 'content-length': String(BODY_LIMIT_BYTES + 1) }))).toBe(true);
    expect(declaredTooLarge(request({ 'content-length': String(BODY_LIMIT_BYTES) }))).toBe(false);
    expect(declaredTooLarge(request({}))).toBe(false);
    expect(declaredTooLarge(request({ 'content-length': '1e9' }))).toBe(false);
  });

  it('drains a declared oversize body or an unfinished chunked one, never a complete request', () => {
    expect(bodyStillArriving(request({ 'content-length': String(10 * 1024 * 1024) }, false))).toBe(true);
    expect(bodyStillArriving(request({ 'content-length': String(10 * 1024 * 1024) }))).toBe(true);
    expect(bodyStillArriving(request({ 'transfer-encoding': 'chunked' }, false))).toBe(true);
    expect(bodyStillArriving(request({ 'transfer-encoding': 'chunked' }, true))).toBe(false);
    // Small bodies: Node reads them (at most the limit) and keeps the connection.
    expect(bodyStillArriving(request({ 'content-length': '20' }, false))).toBe(false);
    expect(bodyStillArriving(request({}, false))).toBe(false);
  });
});

describe('drainRequestBody', () => {
  it('reads and drops the body, and is done once it has arrived', async () => {
    const raw = request({ 'content-length': '99999' });
    let done = 0;
    drainRequestBody(raw, () => done++);
    raw.write(Buffer.alloc(64 * 1024));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(0);
    // Read, not buffered: the request stream is not holding the bytes.
    expect(raw.readableLength).toBe(0);
    raw.end();
    await vi.waitFor(() => expect(done).toBe(1));
    raw.destroy();
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(1);
  });

  it('is done when the client has been quiet for the idle time', async () => {
    vi.useFakeTimers();
    const raw = request({ 'content-length': '99999' });
    let done = 0;
    drainRequestBody(raw, () => done++);
    raw.write(Buffer.alloc(10));
    await vi.advanceTimersByTimeAsync(DRAIN_IDLE_MS - 10);
    expect(done).toBe(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(done).toBe(1);
  });

  it('is done after the longest drain time even while the client keeps sending, and stops listening', async () => {
    vi.useFakeTimers();
    const raw = request({ 'transfer-encoding': 'chunked' }, false);
    let done = 0;
    drainRequestBody(raw, () => done++);
    for (let t = 0; t < DRAIN_MAX_MS - 500; t += 500) {
      raw.write(Buffer.alloc(1000));
      await vi.advanceTimersByTimeAsync(500);
      expect(done, `at ${t} ms`).toBe(0);
    }
    raw.write(Buffer.alloc(1000));
    await vi.advanceTimersByTimeAsync(600);
    expect(done).toBe(1);
    expect(raw.listenerCount('data')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
