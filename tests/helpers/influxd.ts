/**
 * A private InfluxDB 1.x (Debian's influxd 1.6.7) per test file: own temp dir for meta/data/wal,
 * own generated config, HTTP and RPC on free loopback ports. Never touches /var/lib/influxdb or
 * the system service's ports 8086/8088.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort } from './ports.js';
import { createTempDir, ManagedProcess, removeTempDir } from './service.js';

export interface InfluxdOptions {
  /** Fixed HTTP port; default a free one. */
  port?: number;
  readyTimeoutMs?: number;
}

/** The JSON body of InfluxDB 1.x /query. */
export interface InfluxQueryResponse {
  results: Array<{
    statement_id: number;
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
  error?: string;
}

export interface InfluxdHandle {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** Clean shutdown; data is kept so start() resumes with it. */
  stop(): Promise<void>;
  /** Starts again on the same ports with the same data. */
  start(): Promise<void>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  /** Final cleanup: stop() and remove the temp dir (all data). Call it in afterAll. */
  close(): Promise<void>;
  logs(): string;
  /**
   * Runs InfluxQL via POST /query (POST so CREATE/DROP work) with `epoch=ms`, so time columns come
   * back as epoch milliseconds (compare with Date#getTime()). Throws on HTTP or statement errors.
   */
  query(q: string, db?: string): Promise<InfluxQueryResponse>;
}

const toml = (s: string): string => JSON.stringify(s); // TOML basic strings share JSON's escapes.

function influxConf(dir: string, httpPort: number, rpcPort: number): string {
  return `# Generated for one test run; every path and port is private to it.
# Upstream spells it "reporting-disabled"; Debian's 1.6.7 patched it to "reporting-enabled"
# (default false). Unknown keys are ignored, so set both.
reporting-disabled = true
reporting-enabled = false
# RPC/backup service: off 8088 so the system service and parallel tests do not collide.
bind-address = ${toml(`127.0.0.1:${rpcPort}`)}

[meta]
  dir = ${toml(path.join(dir, 'meta'))}

[data]
  dir = ${toml(path.join(dir, 'data'))}
  wal-dir = ${toml(path.join(dir, 'wal'))}

[http]
  enabled = true
  bind-address = ${toml(`127.0.0.1:${httpPort}`)}
  log-enabled = false
  unix-socket-enabled = false
  bind-socket = ${toml(path.join(dir, 'influxdb.sock'))}

[logging]
  suppress-logo = true

[monitor]
  # Otherwise influxd writes _internal stats every 10 s.
  store-enabled = false

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false

[ifql]
  enabled = false

# The listener plugins are off by default; pin that so a changed default cannot open ports.
[[graphite]]
  enabled = false
[[collectd]]
  enabled = false
[[opentsdb]]
  enabled = false
[[udp]]
  enabled = false
`;
}

/** influxd applies INFLUXDB_* variables over the config file; keep the developer's out. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INFLUXDB_')));
}

async function ping(url: string): Promise<boolean> {
  const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
  return res.status === 204;
}

export async function startInfluxd(opts: InfluxdOptions = {}): Promise<InfluxdHandle> {
  const binary = requireBinary('influxd', 'influxdb');
  const port = opts.port ?? (await freePort());
  let rpcPort = await freePort();
  while (rpcPort === port) rpcPort = await freePort();
  const host = '127.0.0.1';
  const url = `http://${host}:${port}`;
  const dir = createTempDir('influxd');
  for (const sub of ['meta', 'data', 'wal']) mkdirSync(path.join(dir, sub));
  const confFile = path.join(dir, 'influxdb.conf');
  writeFileSync(confFile, influxConf(dir, port, rpcPort));

  const proc = new ManagedProcess({
    name: `influxd:${port}`,
    command: binary,
    args: ['-config', confFile],
    cwd: dir,
    env: cleanEnv(),
    probe: () => ping(url),
    ports: [port, rpcPort],
    readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
  });
  try {
    await proc.start();
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }

  const query = async (q: string, db?: string): Promise<InfluxQueryResponse> => {
    const body = new URLSearchParams({ q, epoch: 'ms' });
    if (db !== undefined) body.set('db', db);
    const res = await fetch(`${url}/query`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    const fail = (): Error => new Error(`influxd query failed (HTTP ${res.status}): ${q}\n${text}`);
    let json: InfluxQueryResponse;
    try {
      // Cast: the /query shape is InfluxDB's documented one; only `results` is checked below.
      json = JSON.parse(text) as InfluxQueryResponse;
    } catch {
      throw fail();
    }
    if (!res.ok || json.error !== undefined || !Array.isArray(json.results)) throw fail();
    if (json.results.some((r) => r.error !== undefined)) throw fail();
    return json;
  };

  return {
    url,
    host,
    port,
    dir,
    stop: () => proc.stop(),
    start: () => proc.start(),
    kill9: () => proc.kill9(),
    restart: () => proc.restart(),
    close: async () => {
      await proc.stop();
      removeTempDir(dir);
    },
    logs: () => proc.logs(),
    query,
  };
}
