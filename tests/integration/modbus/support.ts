/** Shared bits of the Modbus integration tests: a recording sink, waiting, device configs, log capture. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Device as DeviceSchema } from '../../../src/config/schema-devices.js';
import type { Device } from '../../../src/config/schema.js';
import type { CommsChange, Sample, SampleSink } from '../../../src/core/sample.js';
import { createLogger, type Logger } from '../../../src/lib/logger.js';

export class RecordingSink implements SampleSink {
  readonly samples: Sample[] = [];
  readonly commsChanges: CommsChange[] = [];

  sample(sample: Sample): void {
    this.samples.push(sample);
  }

  comms(change: CommsChange): void {
    this.commsChanges.push(change);
  }

  valuesOf(tag: string): Sample['value'][] {
    return this.samples.filter((s) => s.tag === tag).map((s) => s.value);
  }

  last(tag: string): Sample['value'] | undefined {
    return this.valuesOf(tag).at(-1);
  }

  commsOf(device: string): boolean[] {
    return this.commsChanges.filter((c) => c.device === device).map((c) => c.ok);
  }
}

/** Polls `condition` every 20 ms; fails with `what` after `timeoutMs` (a generous bound, never a speed check). */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A validated device config (schema defaults applied), as the agent would get it. */
export function device(input: Record<string, unknown>): Device {
  return DeviceSchema.parse(input);
}

/** Logs only when LINESIDE_TEST_LOG is set (e.g. "debug"), so failures can be diagnosed. */
export const testLogger = createLogger((process.env.LINESIDE_TEST_LOG as 'debug' | undefined) ?? 'silent');

/** One JSON log line as pino wrote it. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A real pino logger (info and up) whose lines are kept in memory, to assert what an operator would read. */
export function captureLogs(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n'))
        if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  // pino itself, not createLogger: LINESIDE_LOG_LEVEL in the environment must not silence it.
  return { logger: pino({ level: 'info' }, stream), lines };
}

/**
 * The raw config of the fault tests' device on `port`: two tags in one coalesced read (holding
 * 0..2), polled every 50 ms. Built through the schema (device()), not the file loader, so the
 * loader's timing cross-checks (timeout < pollInterval, backoffMax >= 1s) do not apply here.
 */
export function plc(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    protocol: 'modbus-tcp',
    id: 'plc1',
    host: '127.0.0.1',
    port,
    pollInterval: '50ms',
    timeout: '150ms',
    backoffMax: '1s',
    tags: [
      { name: 'count', address: 0 },
      { name: 'speed', address: 1, type: 'float32' },
    ],
    ...extra,
  };
}
