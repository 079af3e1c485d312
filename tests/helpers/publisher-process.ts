/**
 * Runs tests/fixtures/publisher-agent.ts as a real child process (node --import tsx), so tests can
 * kill -9 it mid-outage and start it again on the same spool directory. Collects every event the
 * agent reported as committed to its spool, across restarts.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { MqttPublisherHealth } from '../../src/outputs/mqtt/index.js';
import type { SpoolHealth } from '../../src/outputs/spool/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(ROOT, 'tests/fixtures/publisher-agent.ts');

export interface PublisherAgentOptions {
  /** Spool directory (kept across restarts). */
  dir: string;
  brokerUrl: string;
  agentId?: string;
  /** One event every this many ms, round-robin over three stations; default 30. */
  eventIntervalMs?: number;
  samplesPerTick?: number;
  commitIntervalMs?: number;
  protocolVersion?: 4 | 5;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  username?: string;
  password?: string;
  /** Also run the Sparkplug B edge node. */
  sparkplug?: boolean;
}

export interface CommittedEvent {
  spoolId: number;
  eventId: string;
  station: string;
  seq: number;
  type: string;
  ts: number;
  state: string | null;
  /** Which run of the process committed it (1, 2, ...). */
  run: number;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;
const live = new Set<Child>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class PublisherAgent {
  readonly committed: CommittedEvent[] = [];
  mqttHealth: MqttPublisherHealth | undefined;
  spoolHealth: Partial<SpoolHealth> | undefined;
  private child: Child | null = null;
  private exited: Promise<void> = Promise.resolve();
  private runs = 0;
  private stderr = '';
  private ready = false;
  private stoppedCleanly = false;

  constructor(private readonly opts: PublisherAgentOptions) {}

  get running(): boolean {
    return this.child !== null;
  }

  /** Spawns the agent (options may be overridden for this run) and resolves once its publisher started. */
  async start(overrides: Partial<PublisherAgentOptions> = {}): Promise<void> {
    if (this.child !== null) throw new Error('publisher agent already running');
    const o = { ...this.opts, ...overrides };
    const config = {
      dir: o.dir,
      brokerUrl: o.brokerUrl,
      agentId: o.agentId ?? 'agent1',
      eventIntervalMs: o.eventIntervalMs ?? 30,
      samplesPerTick: o.samplesPerTick ?? 5,
      commitIntervalMs: o.commitIntervalMs ?? 250,
      protocolVersion: o.protocolVersion ?? 5,
      reconnectMinMs: o.reconnectMinMs ?? 200,
      reconnectMaxMs: o.reconnectMaxMs ?? 1_000,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      ...(o.sparkplug === true ? { sparkplug: true } : {}),
    };
    const run = ++this.runs;
    this.ready = false;
    this.stoppedCleanly = false;
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
    await this.waitFor(() => this.ready, 'the publisher agent to start', 30_000);
  }

  private onLine(line: string, run: number): void {
    let msg: { t?: string; events?: unknown[][]; mqtt?: MqttPublisherHealth; spool?: Partial<SpoolHealth> };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.t === 'ready') this.ready = true;
    else if (msg.t === 'stopped') this.stoppedCleanly = true;
    else if (msg.t === 'health') {
      this.mqttHealth = msg.mqtt;
      this.spoolHealth = msg.spool;
    } else if (msg.t === 'committed') {
      for (const e of msg.events ?? []) {
        const [spoolId, eventId, station, seq, type, ts, state] = e as [
          number,
          string,
          string,
          number,
          string,
          number,
          string | null,
        ];
        this.committed.push({ spoolId, eventId, station, seq, type, ts, state, run });
      }
    }
  }

  /** SIGKILL: no flush, no "offline", no clean disconnect (the broker publishes the will). */
  async kill9(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the agent delivers what it can, publishes "offline" and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(20_000, true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`publisher agent ignored SIGTERM for 20 s\n${this.logs()}`);
    }
    if (!this.stoppedCleanly) throw new Error(`publisher agent did not stop cleanly\n${this.logs()}`);
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.child === null && !this.ready)
        throw new Error(`publisher agent exited while waiting for ${what}\n${this.logs()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.logs()}`);
      await sleep(25);
    }
  }

  /** The agent's stderr (its log lines). */
  logs(): string {
    return this.stderr;
  }

  /** Final cleanup for afterAll/afterEach: kills the process if it still runs. */
  async close(): Promise<void> {
    await this.kill9();
  }
}
