/**
 * A private Mosquitto 2.0 broker per test file: own temp dir, own config, own loopback port.
 * Never the system service (Debian may auto-start one on 1883; we do not care either way).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from './binaries.js';
import { canConnect, freePort } from './ports.js';
import { createTempDir, ManagedProcess, removeTempDir } from './service.js';

const execFileAsync = promisify(execFile);

export interface MosquittoOptions {
  /** Fixed port; default a free one. */
  port?: number;
  /** Extra mosquitto.conf lines, e.g. `password_file /tmp/.../passwd` plus `allow_anonymous false`. */
  extraConf?: string;
  readyTimeoutMs?: number;
}

export interface MosquittoHandle {
  /** mqtt://127.0.0.1:PORT */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The broker's temp dir (config lives here); put password files etc. here too. */
  readonly dir: string;
  /** Clean shutdown; the temp dir is kept so start() can bring the broker back. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same config. */
  start(): Promise<void>;
  /** Crash: SIGKILL, no clean shutdown. */
  kill9(): Promise<void>;
  restart(): Promise<void>;
  /** A hung broker (SIGSTOP): connections stay open, nothing is read; false resumes it. */
  freeze(frozen: boolean): void;
  /** Final cleanup: stop() and remove the temp dir. Call it in afterAll. */
  close(): Promise<void>;
  /** The broker's recent log lines (stderr), for failure messages. */
  logs(): string;
}

/**
 * Builds the config. Later lines win for most options, so extraConf may override the defaults
 * (e.g. `allow_anonymous false`).
 */
function mosquittoConf(port: number, extraConf: string): string {
  const lines = [
    // Mosquitto started as root drops to user "mosquitto", which cannot read our 0700 temp dir
    // (password files fail with "Unable to open pwfile"). Stay the user that runs the tests.
    ...(process.getuid?.() === 0 ? [`user ${os.userInfo().username}`] : []),
    // Mosquitto 2.0: with an explicit listener, anonymous clients are refused unless allowed.
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
  ];
  return `${lines.join('\n')}\n${extraConf}\n`;
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const binary = requireBinary('mosquitto', 'mosquitto');
  const port = opts.port ?? (await freePort());
  const host = '127.0.0.1';
  const dir = createTempDir('mosquitto');
  const confFile = path.join(dir, 'mosquitto.conf');
  writeFileSync(confFile, mosquittoConf(port, opts.extraConf ?? ''));

  const proc = new ManagedProcess({
    name: `mosquitto:${port}`,
    command: binary,
    args: ['-c', confFile],
    cwd: dir,
    probe: () => canConnect(port, host),
    ports: [port],
    readyTimeoutMs: opts.readyTimeoutMs ?? 10_000,
  });
  try {
    await proc.start();
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }

  return {
    url: `mqtt://${host}:${port}`,
    host,
    port,
    dir,
    stop: () => proc.stop(),
    start: () => proc.start(),
    kill9: () => proc.kill9(),
    restart: () => proc.restart(),
    freeze: (frozen) => proc.freeze(frozen),
    close: async () => {
      proc.freeze(false);
      await proc.stop();
      removeTempDir(dir);
    },
    logs: () => proc.logs(),
  };
}

/**
 * Writes a Mosquitto password file with one user (hashed by mosquitto_passwd) and returns its
 * path. Use with `extraConf: 'allow_anonymous false\npassword_file ' + file`.
 */
export async function mosquittoPasswordFile(dir: string, user: string, pass: string): Promise<string> {
  const binary = requireBinary('mosquitto_passwd', 'mosquitto');
  const file = path.join(dir, 'passwd');
  // -b takes the password on the command line (fine for test credentials); -c creates the file.
  await execFileAsync(binary, ['-b', '-c', file, user, pass]);
  return file;
}
