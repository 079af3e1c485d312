/**
 * systemd's notify protocol (sd_notify(3)) for `Type=notify` + `WatchdogSec=` in
 * deploy/lineside.service: READY=1 once sources, core and outputs are up, WATCHDOG=1 from the
 * main event loop, STOPPING=1 on shutdown, STATUS=... for `systemctl status`.
 *
 * Contract for the caller (the agent's lifecycle):
 * - Create one notifier at start-up. Everything is a no-op when NOTIFY_SOCKET is unset (a
 *   terminal, a test, `lineside demo`), so callers never branch on "am I under systemd".
 * - `startWatchdog()` may be called before or after `ready()`: systemd arms the watchdog only
 *   once start-up is complete (after READY=1); until then TimeoutStartSec= applies. Pings come
 *   from a plain `setInterval` on the main loop, so a blocked loop stops them and systemd
 *   restarts the agent: that is the point. The timer is unref()'d and never keeps the process up.
 * - Nothing here throws: a send failure is logged (warn once, then debug) and ignored.
 *
 * Node cannot send unix datagrams itself, so the native `unix-dgram` addon does; it is loaded
 * lazily (createRequire) so a platform without it still starts, with a warning. Each message
 * opens, sends on and closes its own socket, as libsystemd does: unix-dgram starts a ref'd
 * uv_poll on every socket it creates, so a long-lived socket would keep the process alive.
 */
import { createRequire } from 'node:module';
import type { Logger } from '../lib/logger.js';

export type NotifyEnv = Readonly<Record<string, string | undefined>>;

export interface SdNotifier {
  /** True when messages can be sent: NOTIFY_SOCKET names a path socket and unix-dgram loaded. */
  readonly enabled: boolean;
  /** The ping interval in ms (half of WATCHDOG_USEC), or undefined when systemd wants no pings. */
  readonly watchdogIntervalMs: number | undefined;
  /** READY=1: start-up is complete. */
  ready(): void;
  /** STOPPING=1: shutdown has begun (systemd then waits up to TimeoutStopSec=). */
  stopping(): void;
  /** STATUS=text, shown by `systemctl status lineside`; newlines become spaces. */
  status(text: string): void;
  /** Sends WATCHDOG=1 now and then every `watchdogIntervalMs`; returns the stop function. */
  startWatchdog(): () => void;
}

export interface SdNotifierOptions {
  env?: NotifyEnv;
  logger: Logger;
  /** The process id WATCHDOG_PID is compared with; default process.pid. */
  pid?: number;
}

/** Where NOTIFY_SOCKET points: a file-system socket, or a Linux abstract one ("@name"). */
export type NotifyAddress = { kind: 'path'; path: string } | { kind: 'abstract'; name: string };

/**
 * Parses NOTIFY_SOCKET. "@name" is an abstract socket whose address is a NUL byte then "name"
 * (sd_notify(3)); anything else must be an absolute path. Unset, empty or relative: undefined.
 */
export function notifyAddress(value: string | undefined): NotifyAddress | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.startsWith('@')) return value.length > 1 ? { kind: 'abstract', name: `\0${value.slice(1)}` } : undefined;
  return value.startsWith('/') ? { kind: 'path', path: value } : undefined;
}

/**
 * Half of WATCHDOG_USEC in ms (what sd_watchdog_enabled(3) recommends), or undefined when the
 * watchdog is off: WATCHDOG_USEC unset or not a positive integer, or WATCHDOG_PID set to
 * another process (the variable was inherited by a child and is not meant for us).
 */
export function watchdogIntervalMs(env: NotifyEnv, pid: number): number | undefined {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined || !/^\d+$/.test(usecText)) return undefined;
  const usec = Number(usecText);
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined;
  const pidText = env.WATCHDOG_PID;
  if (pidText !== undefined && pidText !== '' && pidText !== String(pid)) return undefined;
  return Math.max(1, Math.floor(usec / 2 / 1000));
}

/** The slice of unix-dgram's Socket we use (the package ships no types). */
interface DgramSocket {
  on(event: 'error', listener: (err: Error) => void): unknown;
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error) => void): void;
  close(): void;
}
interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): DgramSocket;
}

function loadUnixDgram(logger: Logger): UnixDgramModule | undefined {
  try {
    const require = createRequire(import.meta.url);
    return require('unix-dgram') as UnixDgramModule;
  } catch (err) {
    logger.warn(
      { err: { message: (err as Error).message } },
      'sd_notify: the unix-dgram addon could not be loaded; systemd will not see READY/WATCHDOG (rebuild native modules: npm rebuild)',
    );
    return undefined;
  }
}

const NOOP_STOP = (): void => {};

function disabledNotifier(intervalMs: number | undefined): SdNotifier {
  return {
    enabled: false,
    watchdogIntervalMs: intervalMs,
    ready: () => {},
    stopping: () => {},
    status: () => {},
    startWatchdog: () => NOOP_STOP,
  };
}

export function createSdNotifier(options: SdNotifierOptions): SdNotifier {
  const env = options.env ?? process.env;
  const logger = options.logger;
  const intervalMs = watchdogIntervalMs(env, options.pid ?? process.pid);
  const address = notifyAddress(env.NOTIFY_SOCKET);
  if (address === undefined) {
    if (env.NOTIFY_SOCKET !== undefined && env.NOTIFY_SOCKET !== '') {
      logger.warn(
        { notifySocket: env.NOTIFY_SOCKET },
        'sd_notify: NOTIFY_SOCKET is neither an absolute path nor @abstract; ignored',
      );
    }
    return disabledNotifier(undefined);
  }
  if (address.kind === 'abstract') {
    // unix-dgram 2.0.7 copies the address with strncpy and passes sizeof(sockaddr_un) as its
    // length, so a leading NUL yields an empty name: datagrams would go to a different (all-zero)
    // abstract address. Upstream: bnoordhuis/node-unix-dgram#36 (open). systemd gives system
    // services a path (/run/systemd/notify), so this only affects unusual containers.
    logger.warn(
      { notifySocket: env.NOTIFY_SOCKET },
      'sd_notify: abstract NOTIFY_SOCKET cannot be addressed with unix-dgram 2.0.7; READY/WATCHDOG disabled',
    );
    return disabledNotifier(undefined);
  }
  const dgram = loadUnixDgram(logger);
  if (dgram === undefined) return disabledNotifier(undefined);

  const socketPath = address.path;
  let warned = false;
  const reportFailure = (message: string, err: Error): void => {
    // Warn once: a missing socket would otherwise log every watchdog interval for the whole run.
    const level = warned ? 'debug' : 'warn';
    warned = true;
    logger[level]({ notifySocket: socketPath, message, err: { message: err.message } }, 'sd_notify: send failed');
  };

  const send = (message: string): void => {
    const buf = Buffer.from(message, 'utf8');
    let socket: DgramSocket | undefined;
    try {
      socket = dgram.createSocket('unix_dgram');
      socket.on('error', (err) => reportFailure(message, err));
      socket.send(buf, 0, buf.length, socketPath, (err) => {
        if (err) reportFailure(message, err);
      });
    } catch (err) {
      reportFailure(message, err as Error);
    } finally {
      try {
        socket?.close();
      } catch (err) {
        logger.debug({ err: { message: (err as Error).message } }, 'sd_notify: close failed');
      }
    }
  };

  let stopWatchdog: (() => void) | undefined;
  return {
    enabled: true,
    watchdogIntervalMs: intervalMs,
    ready: () => send('READY=1'),
    stopping: () => send('STOPPING=1'),
    status: (text) => send(`STATUS=${text.replace(/[\r\n]+/g, ' ')}`),
    startWatchdog: () => {
      if (intervalMs === undefined) return NOOP_STOP;
      if (stopWatchdog !== undefined) return stopWatchdog;
      send('WATCHDOG=1');
      const timer = setInterval(() => send('WATCHDOG=1'), intervalMs);
      timer.unref();
      const stop = (): void => {
        clearInterval(timer);
        if (stopWatchdog === stop) stopWatchdog = undefined;
      };
      stopWatchdog = stop;
      logger.debug({ intervalMs }, 'sd_notify: watchdog pings started');
      return stop;
    },
  };
}
