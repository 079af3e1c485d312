/**
 * Runs tests/fixtures/influx-agent.ts as a real child process (node --import tsx), so tests can
 * kill -9 it during an InfluxDB outage and start it again on the same spool directory. Collects
 * every row the agent reported as committed to its spool, across restarts: exactly what must end
 * up in InfluxDB.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { InfluxWriterHealth } from '../../src/outputs/influx/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(ROOT, 'tests/fixtures/influx-agent.ts');

export interface InfluxAgentOptions {
  /** Spool directory (kept across restarts). */
  dir: string;
  /** InfluxDB URL. */
  url: string;
  database?: string;
  /** One event every this many ms, round-robin over three stations; default 20. */
  eventIntervalMs?: number;
  commitIntervalMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

export interface CommittedRow {
  spoolId: number;
  /** The InfluxDB measurement the row must land in. */
  measurement: string;
  /** Station (events) or tag id (samples). */
  series: string;
  /** Identity of the point within its series (seq, since, downtime id or sample ts). */
  key: string;
  ts: number;
  /** Which run of the process committed it (1, 2, ...). */
  run: number;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;
const live = new Set<Child>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class InfluxAgent {
  readonly committed: CommittedRow[] = [];
  health: InfluxWriterHealth | undefined;
  lastCommittedId = 0;
  private child: Child | null = null;
  private exited: Promise<void> = Promise.resolve();
  private runs = 0;
  private stderr = '';
  private ready = false;
  private stoppedCleanly = false;

  constructor(private readonly opts: InfluxAgentOptions) {}

  get running(): boolean {
    return this.child !== null;
  }

  /** Spawns the agent and resolves once its writer started (InfluxDB may be down). */
  async start(): Promise<void> {
    if (this.child !== null) throw new Error('influx agent already running');
    const o = this.opts;
    const config = {
      dir: o.dir,
      url: o.url,
      database: o.database ?? 'lineside',
      eventIntervalMs: o.eventIntervalMs ?? 20,
      commitIntervalMs: o.commitIntervalMs ?? 250,
      retryMinMs: o.retryMinMs ?? 200,
      retryMaxMs: o.retryMaxMs ?? 2_000,
    };
    const run = ++this.runs;
    this.ready = false;
    this.stoppedCleanly = false;
    this.health = undefined;
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, LINESIDE_FIXTURE: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.onLine(line, run);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    this.exited = new Promise((resolve) => {
      child.once('close', () => {
        live.delete(child);
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    await this.waitFor(() => this.ready, 'the influx agent to start', 30_000);
  }

  private onLine(line: string, run: number): void {
    let msg: { t?: string; rows?: unknown[][]; influx?: InfluxWriterHealth; lastCommittedId?: number };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.t === 'ready') this.ready = true;
    else if (msg.t === 'stopped') this.stoppedCleanly = true;
    else if (msg.t === 'health') {
      this.health = msg.influx;
      this.lastCommittedId = msg.lastCommittedId ?? this.lastCommittedId;
    } else if (msg.t === 'committed') {
      for (const r of msg.rows ?? []) {
        const [spoolId, measurement, series, key, ts] = r as [number, string, string, string, number];
        this.committed.push({ spoolId, measurement, series, key, ts, run });
      }
    }
  }

  /** SIGKILL: no flush, no final write. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the agent writes what it can and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(20_000, true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`influx agent ignored SIGTERM for 20 s\n${this.logs()}`);
    }
    if (!this.stoppedCleanly) throw new Error(`influx agent did not stop cleanly\n${this.logs()}`);
  }

  /** True once the agent reported its writer caught up with everything it committed. */
  caughtUp(): boolean {
    const h = this.health;
    return h !== undefined && h.connected && h.ackedId >= this.lastCommittedId && this.lastCommittedId > 0;
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.child === null && !this.ready)
        throw new Error(`influx agent exited while waiting for ${what}\n${this.logs()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.logs()}`);
      await sleep(25);
    }
  }

  /** The agent's stderr (its log lines). */
  logs(): string {
    return this.stderr;
  }

  /** Final cleanup for afterAll: kills the process if it still runs. */
  async close(): Promise<void> {
    await this.kill9();
  }
}
