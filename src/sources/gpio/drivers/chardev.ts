/**
 * The character-device driver: libgpiod's tools on /dev/gpiochipN, for kernels without sysfs
 * GPIO (and the better choice anyway: kernel timestamps and a kernel event queue per line, so
 * no edge is coalesced the way sysfs' poll-then-read can). gpiodetect finds the chip by label,
 * gpioget reads initial levels, one gpiomon watches every line and is restarted if it dies.
 */
import type { Clock } from '../../../core/sample.js';
import { LinesideError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { chooseChip, wantedLabels } from '../chip-labels.js';
import type { DriverListener, GpioDriver, Level, LineOpenResult, LineRequest } from '../driver.js';
import { gpioOpenError } from '../open-errors.js';
import { GpiomonProcess, type ExitInfo } from './gpiomon-process.js';
import {
  errnoFromToolMessage,
  gpiogetArgs,
  gpiomonArgs,
  parseGpiodetect,
  parseGpiogetOutput,
  parseMonitorLine,
  parseToolVersion,
  type ChipInfo,
  type ToolVersion,
} from './gpiod-tools.js';
import { KernelTimeMapper, type KernelTimeSources } from './kernel-time.js';
import { lastLine, runTool } from './run-tool.js';

export interface ChardevOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** GPIO controller label; default: the header controller of any Pi model. */
  readonly chipLabel?: string;
  /** Environment for the tools (PATH decides which gpiomon runs). Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** gpiomon restart backoff, real ms (default 250 ms doubling to 10 s). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Clock sources for kernel timestamps (tests). */
  readonly timeSources?: KernelTimeSources;
}

const TOOL_TIMEOUT_MS = 5_000;

/** Checks that the tools exist and the chip is there; rejects with GPIO_UNAVAILABLE otherwise. */
export async function createChardevDriver(options: ChardevOptions): Promise<ChardevDriver> {
  const env = options.env ?? process.env;
  const versionRun = await runTool('gpiomon', ['--version'], { env, timeoutMs: TOOL_TIMEOUT_MS });
  if (versionRun.errno === 'ENOENT')
    throw unavailable('gpiomon not found on PATH (install Debian package gpiod: sudo apt install gpiod)');
  const version = parseToolVersion(versionRun.stdout + versionRun.stderr);
  if (version === null)
    throw unavailable(
      `cannot tell the libgpiod version from "gpiomon --version": ${lastLine(versionRun.stdout + versionRun.stderr) || `exit ${versionRun.code}`}`,
    );
  const detect = await runTool('gpiodetect', [], { env, timeoutMs: TOOL_TIMEOUT_MS });
  if (detect.errno === 'ENOENT') throw unavailable('gpiodetect not found on PATH (install Debian package gpiod)');
  const chips = parseGpiodetect(detect.stdout);
  const chip = chooseChip(chips, options.chipLabel);
  if (!chip) {
    const found = chips.length > 0 ? chips.map((c) => `${c.name} [${c.label}]`).join(', ') : 'none';
    const why = !detect.ok && detect.stderr !== '' ? `; gpiodetect: ${lastLine(detect.stderr)}` : '';
    throw unavailable(`no GPIO chip labelled ${wantedLabels(options.chipLabel)} (found: ${found}${why})`);
  }
  return new ChardevDriver(options, env, version, chip);
}

function unavailable(reason: string): LinesideError {
  return new LinesideError('GPIO_UNAVAILABLE', `chardev GPIO driver unavailable: ${reason}`, {
    driver: 'chardev',
    reason,
  });
}

interface WatchedLine {
  readonly input: string;
  readonly pin: number;
  level: Level;
}

export class ChardevDriver implements GpioDriver {
  readonly kind = 'chardev' as const;
  readonly endpoint: string;
  /** A pipe and an event loop between the kernel and us: edges may arrive a little late. */
  readonly deliveryGraceMs = 20;
  readonly maxDeliveryLagMs = 2_000;
  private readonly mapper: KernelTimeMapper;
  private readonly log: Logger;
  private readonly watched = new Map<number, WatchedLine>();
  private monitor: GpiomonProcess | null = null;
  private listener: DriverListener | null = null;
  private closed = false;
  private badLines = 0;
  private warnedDeliveryTime = false;

  constructor(
    private readonly options: ChardevOptions,
    private readonly env: NodeJS.ProcessEnv,
    readonly version: ToolVersion,
    readonly chip: ChipInfo,
  ) {
    this.endpoint = `gpio chip ${chip.label} (${chip.name}, libgpiod v${version} tools)`;
    this.mapper = new KernelTimeMapper(options.clock, options.timeSources);
    this.log = options.logger;
  }

  async open(lines: readonly LineRequest[], listener: DriverListener): Promise<readonly LineOpenResult[]> {
    this.listener = listener;
    const results = new Map<number, LineOpenResult>();
    const candidates: LineRequest[] = [];
    for (const line of lines) {
      if (line.pin >= this.chip.lines) {
        const where = `${this.chip.name} [${this.chip.label}] has ${this.chip.lines} lines, offset ${line.pin} is beyond them`;
        results.set(line.pin, {
          ok: false,
          pin: line.pin,
          line: where,
          error: gpioOpenError({ input: line.input, pin: line.pin, driver: 'chardev', line: where, errno: 'EINVAL' }),
        });
      } else {
        candidates.push(line);
      }
    }
    const levels = await this.readLevels(candidates);
    for (const line of candidates) {
      const outcome = levels.get(line.pin);
      const where = this.describe(line.pin);
      if (outcome === undefined || typeof outcome === 'object') {
        const failure = outcome ?? { errno: 'EIO', detail: 'no value read' };
        results.set(line.pin, {
          ok: false,
          pin: line.pin,
          line: where,
          error: gpioOpenError({ input: line.input, pin: line.pin, driver: 'chardev', line: where, ...failure }),
        });
      } else {
        this.watched.set(line.pin, { input: line.input, pin: line.pin, level: outcome });
        results.set(line.pin, { ok: true, pin: line.pin, level: outcome, line: where });
      }
    }
    if (this.watched.size > 0 && !this.closed) this.startMonitor();
    return lines.map((l) => results.get(l.pin) as LineOpenResult);
  }

  async read(pin: number): Promise<Level> {
    const line = this.watched.get(pin);
    if (!line) throw new LinesideError('NOT_FOUND', `gpio BCM ${pin} is not open`, { pin });
    return line.level;
  }

  async close(): Promise<void> {
    this.closed = true;
    const monitor = this.monitor;
    this.monitor = null;
    if (monitor) await monitor.stop();
  }

  /** PID of the running gpiomon (tests kill it to prove the restart). */
  get monitorPid(): number | undefined {
    return this.monitor?.pid;
  }

  private describe(pin: number): string {
    return `${this.chip.name} [${this.chip.label}] offset ${pin}`;
  }

  /**
   * Initial levels with one gpioget; if that fails, one gpioget per line, so a busy or
   * forbidden line is named and the others still open.
   */
  private async readLevels(
    lines: readonly LineRequest[],
  ): Promise<Map<number, Level | { errno: string; detail: string }>> {
    const out = new Map<number, Level | { errno: string; detail: string }>();
    if (lines.length === 0) return out;
    const offsets = lines.map((l) => l.pin);
    const all = await this.gpioget(offsets);
    if (Array.isArray(all)) {
      offsets.forEach((o, i) => out.set(o, all[i] as Level));
      return out;
    }
    for (const offset of offsets) {
      const one = await this.gpioget([offset]);
      out.set(offset, Array.isArray(one) ? (one[0] as Level) : one);
    }
    return out;
  }

  private async gpioget(offsets: readonly number[]): Promise<Level[] | { errno: string; detail: string }> {
    const run = await runTool('gpioget', gpiogetArgs(this.version, this.chip.name, offsets), {
      env: this.env,
      timeoutMs: TOOL_TIMEOUT_MS,
    });
    const detail =
      lastLine(run.stderr) || (run.errno ?? (run.code !== 0 ? `gpioget exited with code ${run.code}` : ''));
    if (run.errno === 'ENOENT')
      return { errno: 'ENOENT', detail: 'gpioget not found on PATH (install Debian package gpiod)' };
    if (!run.ok) return { errno: errnoFromToolMessage(run.stderr) ?? run.errno ?? 'EIO', detail };
    const levels = parseGpiogetOutput(run.stdout, offsets);
    if (levels === null) return { errno: 'EIO', detail: `unexpected gpioget output "${run.stdout.trim()}"` };
    return levels;
  }

  private startMonitor(): void {
    const offsets = [...this.watched.keys()];
    this.monitor = new GpiomonProcess({
      command: 'gpiomon',
      args: gpiomonArgs(this.version, this.chip.name, offsets),
      env: this.env,
      initialBackoffMs: this.options.initialBackoffMs ?? 250,
      maxBackoffMs: this.options.maxBackoffMs ?? 10_000,
      stableAfterMs: 10_000,
      upAfterMs: 200,
      onLines: (lines) => this.onLines(lines),
      onExit: (info) => this.onMonitorExit(info),
      onUp: () => this.listener?.status(true),
      beforeRestart: () => this.resync(),
    });
    this.monitor.start();
  }

  private onLines(lines: readonly string[]): void {
    const now = this.mapper.snapshot();
    for (const text of lines) {
      if (text.trim() === '') continue;
      const event = parseMonitorLine(this.version, text);
      const line = event ? this.watched.get(event.offset) : undefined;
      if (!event || !line) {
        this.badLines++;
        if (this.badLines <= 5)
          this.log.warn({ line: text, chip: this.chip.name }, 'gpio: ignoring an unexpected gpiomon output line');
        continue;
      }
      const mapped = this.mapper.map(event.timestampNs, now);
      if (mapped.domain === 'delivery' && !this.warnedDeliveryTime) {
        this.warnedDeliveryTime = true;
        this.log.warn(
          { timestampNs: String(event.timestampNs) },
          'gpio: kernel event timestamps match neither CLOCK_MONOTONIC nor CLOCK_REALTIME; using delivery time',
        );
      }
      line.level = event.level;
      this.listener?.edge({ pin: line.pin, level: event.level, monoMs: mapped.monoMs });
    }
  }

  private onMonitorExit(info: ExitInfo): void {
    const how =
      info.errno === 'ENOENT'
        ? 'gpiomon not found on PATH'
        : info.signal !== null
          ? `gpiomon was killed by ${info.signal}`
          : `gpiomon exited with code ${info.code}`;
    const stderr = info.stderr !== '' ? ` (${info.stderr})` : '';
    const errno = errnoFromToolMessage(info.stderr);
    const hint =
      errno === 'EBUSY' ? '; a line is in use by another program' : errno === 'EACCES' ? '; not in group gpio?' : '';
    const error = new LinesideError(
      'GPIO_UNAVAILABLE',
      `${how}${stderr} on ${this.chip.name} [${this.chip.label}]${hint}; edges are missed until it runs again, restarting in ${Math.round(info.restartInMs)} ms`,
      {
        driver: 'chardev',
        chip: this.chip.name,
        code: info.code,
        signal: info.signal,
        stderr: info.stderr,
        restartInMs: info.restartInMs,
      },
    );
    this.log.warn({ err: { code: error.code, message: error.message } }, 'gpio: gpiomon stopped');
    this.listener?.status(false, error);
  }

  /** Before gpiomon restarts: read the levels again; a level that changed while down becomes an edge now. */
  private async resync(): Promise<boolean> {
    const offsets = [...this.watched.keys()];
    const levels = await this.gpioget(offsets);
    if (!Array.isArray(levels)) {
      this.log.warn(
        { chip: this.chip.name, errno: levels.errno, detail: levels.detail },
        'gpio: cannot re-read levels before restarting gpiomon; retrying',
      );
      return false;
    }
    const monoMs = this.options.clock.monoMs();
    offsets.forEach((offset, i) => {
      const line = this.watched.get(offset);
      const level = levels[i] as Level;
      if (line && level !== line.level) {
        line.level = level;
        this.listener?.edge({ pin: offset, level, monoMs });
      }
    });
    return !this.closed;
  }
}
