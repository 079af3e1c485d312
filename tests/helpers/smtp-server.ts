/**
 * A real SMTP server per test (Debian's python3-aiosmtpd under /usr/bin/python3, not a pyenv
 * python): smtp_server.py writes every accepted message to `<dir>/mail/NNNN.eml`. With `auth` it
 * requires AUTH (PLAIN/LOGIN over plain TCP on loopback) and refuses other credentials with 535; with
 * `tls` it offers STARTTLS and refuses mail before it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { canConnect, freePort } from './ports.js';
import { createTempDir, ManagedProcess, removeTempDir } from './service.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'smtp_server.py');

export interface SmtpServerHandle {
  readonly host: string;
  readonly port: number;
  /** The raw messages received so far, oldest first. */
  messages(): string[];
  stop(): Promise<void>;
  /** Starts again on the same port (messages received before are kept). */
  start(): Promise<void>;
  /** stop() and remove the temp dir. */
  close(): Promise<void>;
  logs(): string;
}

export async function startSmtpServer(
  opts: {
    auth?: { user: string; password: string };
    /** PEM files: STARTTLS offered and required. */
    tls?: { cert: string; key: string };
    port?: number;
    started?: boolean;
  } = {},
): Promise<SmtpServerHandle> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install python3-aiosmtpd`);
  const port = opts.port ?? (await freePort());
  const host = '127.0.0.1';
  const dir = createTempDir('smtp');
  const mail = path.join(dir, 'mail');
  const auth = opts.auth !== undefined ? ['--user', opts.auth.user, '--password', opts.auth.password] : [];
  const tls = opts.tls !== undefined ? ['--tls-cert', opts.tls.cert, '--tls-key', opts.tls.key] : [];
  const proc = new ManagedProcess({
    name: `aiosmtpd:${port}`,
    command: PYTHON,
    args: [SCRIPT, '--port', String(port), '--dir', mail, ...auth, ...tls],
    cwd: dir,
    probe: () => canConnect(port, host),
    ports: [port],
    readyTimeoutMs: 15_000,
  });
  if (opts.started !== false) {
    try {
      await proc.start();
    } catch (err) {
      removeTempDir(dir);
      throw err;
    }
  }
  return {
    host,
    port,
    messages: () =>
      existsSync(mail)
        ? readdirSync(mail)
            .filter((f) => f.endsWith('.eml'))
            .sort()
            .map((f) => readFileSync(path.join(mail, f), 'latin1'))
        : [],
    stop: () => proc.stop(),
    start: () => proc.start(),
    close: async () => {
      await proc.stop();
      removeTempDir(dir);
    },
    logs: () => proc.logs(),
  };
}
