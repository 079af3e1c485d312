/**
 * Loopback port helpers for tests that run real services.
 *
 * Why not just "bind port 0"? Port 0 hands out a port from the kernel's ephemeral range, the same
 * range the kernel uses for the local side of outgoing connections. Outage tests stop a broker and
 * let clients reconnect to its port for ~30 s; if a client's connect() happens to get that very
 * port as its local port, Linux completes a TCP "self-connect" (the client talks to itself) and
 * the broker cannot bind its port again on restart (EADDRINUSE). Picking ports below the
 * ephemeral range avoids both. Port 0 remains the fallback.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const LOOPBACK = '127.0.0.1';
/** Lowest port we pick ourselves: above most registered service ports. */
const LOW_PORT = 20_000;

/** Start of the kernel's ephemeral range (Linux default 32768). */
function ephemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(start);
    return Number.isInteger(n) && n > LOW_PORT + 1000 ? n : 32_768;
  } catch {
    return 32_768; // Not Linux, or /proc not mounted.
  }
}

/** Binds 127.0.0.1:port, returns the port actually bound (or null if taken), then closes. */
function tryBind(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr !== null ? addr.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port on 127.0.0.1 that was free a moment ago (there is always a small race until the service
 * binds it; the random choice keeps parallel test workers from colliding).
 */
export async function freePort(): Promise<number> {
  const high = ephemeralStart() - 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = LOW_PORT + Math.floor(Math.random() * (high - LOW_PORT));
    const port = await tryBind(candidate);
    if (port !== null) return port;
  }
  const port = await tryBind(0);
  if (port === null) throw new Error('freePort: could not bind any port on 127.0.0.1');
  return port;
}

/** One TCP connect attempt; true when something accepted the connection. */
export function canConnect(port: number, host = LOOPBACK, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until a TCP connect to host:port succeeds; rejects after timeoutMs. */
export async function waitForPort(port: number, host = LOOPBACK, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port, host, Math.min(1_000, Math.max(1, deadline - Date.now())))) return;
    await sleep(50);
  }
  throw new Error(`waitForPort: nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`);
}
