/**
 * Request limits (body size, path parameter length), and how a request whose body is refused is
 * answered without the client losing the answer.
 *
 * Closing a TCP socket while the peer's data is still unread makes the kernel send a RST, and a
 * client that is still uploading then gets ECONNRESET/EPIPE instead of the response (Python's
 * http.client and requests, anything that writes the whole body before it reads). So an early
 * answer (413, or a 401 to an unauthenticated upload) is written at once with `Connection: close`,
 * but the response is ended — and the connection closed — only once the rest of the body has been
 * read and dropped, the client has gone quiet, or a time limit passes: the staged close of
 * RFC 9112 §9.6. Clients that send `Expect: 100-continue` (curl for bodies over 1 MiB) get
 * the 413 instead of the 100 and never upload at all.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** POST bodies are a reason id, a name and a note, or a token. */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** Path parameters are station, downtime and alert ids and file names; longer ones get 414. */
export const MAX_PARAM_LENGTH = 100;
/** A refused upload is drained until the client has been quiet this long... */
export const DRAIN_IDLE_MS = 2_000;
/** ...or for this long in all; then the connection is closed whatever the client is doing. */
export const DRAIN_MAX_MS = 10_000;

function declaredLength(raw: IncomingMessage): number | undefined {
  const header = raw.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/** The request announces (Content-Length) a body over the limit: refuse it before reading it. */
export function declaredTooLarge(raw: IncomingMessage): boolean {
  const length = declaredLength(raw);
  return length !== undefined && length > BODY_LIMIT_BYTES;
}

/**
 * Whether an answer now would leave body bytes the client is still sending unread: a declared
 * body over the limit (Node would otherwise read all of it to keep the connection alive), or a
 * chunked body not received yet. Small declared bodies are left to Node, which reads them
 * (at most the limit) and keeps the connection. `complete` is undefined under `inject()`.
 */
export function bodyStillArriving(raw: IncomingMessage): boolean {
  // A websocket upgrade has no body; its socket is the websocket plugin's to close. (Node sets
  // `upgrade` on the request; @types/node does not declare it.)
  if (raw.complete === true || raw.readableEnded || (raw as IncomingMessage & { upgrade?: boolean }).upgrade === true)
    return false;
  if (declaredTooLarge(raw)) return true;
  return raw.complete === false && raw.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads and drops the rest of a request's body, then calls `done` once: when the body has
 * arrived, the client has gone or has sent nothing for DRAIN_IDLE_MS, or DRAIN_MAX_MS has passed.
 */
export function drainRequestBody(raw: IncomingMessage, done: () => void): void {
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(idle);
    clearTimeout(max);
    raw.off('data', onData);
    raw.off('end', finish);
    raw.off('close', finish);
    done();
  };
  const onData = (): void => {
    idle.refresh();
  };
  const idle = setTimeout(finish, DRAIN_IDLE_MS);
  const max = setTimeout(finish, DRAIN_MAX_MS);
  idle.unref();
  max.unref();
  raw.on('data', onData);
  raw.once('end', finish);
  raw.once('close', finish);
  raw.resume();
}

/**
 * `Expect: 100-continue`: a body declared over the limit gets no 100, so the client never sends
 * it; the request then goes through the app as usual and is answered 413. Node's default
 * (no listener) sends the 100 first, inviting the upload it is about to refuse.
 */
export function refuseContinueForLargeBodies(server: Server): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!declaredTooLarge(req)) res.writeContinue();
    // With a checkContinue listener Node leaves emitting 'request' (the app) to it.
    server.emit('request', req, res);
  });
}
