/**
 * The generic spooled-output runner on a real spool file: order, batching, retry of the same
 * batch with backoff, a batch refused for good dropped (not blocking the rest), acknowledgement
 * only of what the destination has (a streaming destination's delivered prefix at once), the rate
 * limit, and a restart that resends only the unacknowledged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/lib/logger.js';
import {
  SpooledOutput,
  type BatchDestination,
  type Progress,
  type RunnerOptions,
} from '../../../src/outputs/runner.js';
import { openSpool, type Spool } from '../../../src/outputs/spool/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { ManualClock, cycle, sample } from '../spool/make-events.js';
import { until } from '../../helpers/wait.js';

const T = Date.UTC(2026, 2, 2, 6);
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function spoolIn(dir: string): Spool {
  const spool = openSpool({
    dir,
    maxBytes: 64e6,
    maxAgeMs: 86_400_000,
    commitIntervalMs: 10,
    destinations: ['test'],
    clock: new ManualClock(),
    logger: silentLogger,
  });
  cleanups.push(() => spool.close());
  return spool;
}

/** A destination that records batches of event ids and fails as the test says. */
class Recorder implements BatchDestination<string> {
  readonly name = 'test';
  readonly kinds = ['event'] as const;
  readonly batches: string[][] = [];
  failNext: Array<'retry' | 'never'> = [];
  convert(row: Parameters<BatchDestination<string>['convert']>[0]): string | undefined {
    return row.kind === 'event' ? row.event.id : undefined;
  }
  async send(batch: readonly string[], _progress?: Progress): Promise<void> {
    const fail = this.failNext.shift();
    if (fail !== undefined) throw Object.assign(new Error(`refused (${fail})`), { fail });
    this.batches.push([...batch]);
  }
  failure(err: unknown) {
    return { retryable: (err as { fail?: string }).fail === 'retry', message: (err as Error).message };
  }
  get delivered(): string[] {
    return this.batches.flat();
  }
}

/** Delivers `deliverFirst` items of its next batch (reporting them), then fails it. */
class Streamer extends Recorder {
  deliverFirst: number | undefined;
  override async send(batch: readonly string[], progress: Progress): Promise<void> {
    const cut = this.deliverFirst;
    this.deliverFirst = undefined;
    if (cut === undefined) return super.send(batch);
    this.batches.push(batch.slice(0, cut));
    progress(cut);
    throw Object.assign(new Error('connection lost'), { fail: 'retry' });
  }
}

function run(spool: Spool, dest: Recorder, batchSize = 3, options: Partial<RunnerOptions> = {}): SpooledOutput<string> {
  const output = new SpooledOutput(
    dest,
    { spool, logger: silentLogger },
    { batchSize, flushIntervalMs: 20, backoff: { initialMs: 10, maxMs: 40 }, random: () => 0.5, ...options },
  );
  cleanups.push(() => output.stop());
  return output;
}

const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `press-${String(from + i).padStart(9, '0')}`);

describe('SpooledOutput', () => {
  it('sends in spool order in batches of at most batchSize, skips samples, and acknowledges past them', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const dest = new Recorder();
    for (let i = 1; i <= 7; i++) {
      spool.appendEvent(cycle('press', i, T + i));
      spool.appendSample(sample('plc1.temp', i, T + i));
    }
    spool.flush();
    const output = run(spool, dest);
    await output.start();
    await until(() => dest.delivered.length === 7, 'seven events');
    expect(dest.delivered).toEqual(ids(1, 7));
    expect(dest.batches.every((b) => b.length <= 3)).toBe(true);
    await until(
      () => spool.ackedId('test') === spool.lastCommittedId(),
      'the samples after the last event acknowledged too',
    );
    expect(output.status()).toEqual({ name: 'test', up: true, sent: 7, errors: 0 });
  });

  it('gathers a trickle into one batch by age: sent flushInterval after the first row, with every row since', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const dest = new Recorder();
    const output = run(spool, dest, 100, { flushIntervalMs: 400 });
    await output.start();
    const firstAt = performance.now();
    for (let i = 1; i <= 5; i++) {
      spool.appendEvent(cycle('press', i, T + i));
      spool.flush();
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await until(() => dest.delivered.length === 5, 'five events');
    const sentAfter = performance.now() - firstAt;
    expect(dest.batches).toEqual([ids(1, 5)]);
    expect(sentAfter).toBeGreaterThanOrEqual(350); // not sent as soon as a row was committed
    spool.appendEvent(cycle('press', 6, T + 6));
    spool.flush();
    await until(() => dest.delivered.length === 6, 'the next trickle, after its own wait');
    expect(dest.batches).toEqual([ids(1, 5), ids(6, 6)]);
  });

  it('retries the same batch until it goes through, down meanwhile, then goes on in order', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const dest = new Recorder();
    dest.failNext = ['retry', 'retry'];
    const output = run(spool, dest);
    await output.start();
    for (let i = 1; i <= 3; i++) spool.appendEvent(cycle('press', i, T + i));
    await until(() => output.status().errors === 1, 'the first failure');
    expect(output.status()).toMatchObject({ up: false, lastError: 'refused (retry)' });
    expect(spool.ackedId('test')).toBe(0); // nothing acknowledged while it is not delivered
    await until(() => dest.delivered.length === 3, 'delivered on the third attempt');
    for (let i = 4; i <= 5; i++) spool.appendEvent(cycle('press', i, T + i));
    await until(() => dest.delivered.length === 5, 'the next rows');
    expect(dest.delivered).toEqual(ids(1, 5));
    expect(output.status()).toMatchObject({ up: true, sent: 5, errors: 2 });
  });

  it('drops a batch refused for good, counts it, and does not let it block the rows behind it', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const dest = new Recorder();
    dest.failNext = ['never'];
    for (let i = 1; i <= 6; i++) spool.appendEvent(cycle('press', i, T + i));
    spool.flush();
    const output = run(spool, dest);
    await output.start();
    await until(() => dest.delivered.length === 3, 'the second batch');
    expect(dest.delivered).toEqual(ids(4, 6));
    expect(output.droppedRows).toBe(3);
    expect(output.status()).toMatchObject({ up: true, errors: 1 });
  });

  it('after a restart sends only what was not acknowledged', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const first = new Recorder();
    for (let i = 1; i <= 4; i++) spool.appendEvent(cycle('press', i, T + i));
    spool.flush();
    const a = run(spool, first, 10);
    await a.start();
    await until(() => first.delivered.length === 4, 'the first four');
    await a.stop();
    for (let i = 5; i <= 6; i++) spool.appendEvent(cycle('press', i, T + i));
    spool.flush();
    const second = new Recorder();
    await run(spool, second, 10).start();
    await until(() => second.delivered.length === 2, 'the new two');
    expect(second.delivered).toEqual(ids(5, 6));
  });

  it('releases what a streaming destination reports delivered at once, and resends only the rest', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const dest = new Streamer();
    dest.deliverFirst = 2;
    const rowIds = Array.from({ length: 5 }, (_, i) => spool.appendEvent(cycle('press', i + 1, T + i)));
    spool.flush();
    const output = run(spool, dest, 10);
    await output.start();
    await until(() => output.status().errors === 1, 'the cut');
    // The two delivered before the cut are released, though their batch failed.
    expect(spool.ackedId('test')).toBe(rowIds[1]);
    await until(() => dest.delivered.length === 5, 'the rest on the retry');
    expect(dest.batches).toEqual([ids(1, 2), ids(3, 5)]);
    await until(() => spool.ackedId('test') === rowIds[4], 'all released');
  });

  it('holds the rate: batches no bigger than a tenth of a second of maxPerSecond, all in order', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const dest = new Recorder();
    for (let i = 1; i <= 35; i++) spool.appendEvent(cycle('press', i, T + i));
    spool.flush();
    const output = run(spool, dest, 100, { maxPerSecond: 100, flushIntervalMs: 0 });
    await output.start();
    await until(() => dest.delivered.length === 35, 'everything');
    expect(dest.delivered).toEqual(ids(1, 35));
    expect(Math.max(...dest.batches.map((b) => b.length))).toBe(10);
    expect(dest.batches.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps up to maxSendsInFlight batches going, releases only in order, and after a failure resends what followed', async () => {
    const dir = createTempDir('runner');
    cleanups.push(() => removeTempDir(dir));
    const spool = spoolIn(dir);
    const sends: Array<{ batch: string[]; settle: (ok: boolean) => void }> = [];
    const dest: BatchDestination<string> = {
      name: 'test',
      kinds: ['event'],
      convert: (row) => (row.kind === 'event' ? row.event.id : undefined),
      send: (batch) =>
        new Promise<void>((resolve, reject) => {
          sends.push({ batch: [...batch], settle: (ok) => (ok ? resolve() : reject(new Error('lost'))) });
        }),
      failure: (err) => ({ retryable: true, message: (err as Error).message }),
    };
    const rowIds = Array.from({ length: 8 }, (_, i) => spool.appendEvent(cycle('press', i + 1, T + i)));
    spool.flush();
    const output = new SpooledOutput(
      dest,
      { spool, logger: silentLogger },
      { batchSize: 2, flushIntervalMs: 0, maxSendsInFlight: 2, backoff: { initialMs: 10, maxMs: 10 } },
    );
    cleanups.push(() => {
      for (const s of sends) s.settle(true);
      return output.stop();
    });
    const settle = (i: number, ok: boolean) => sends[i]?.settle(ok);
    await output.start();
    await until(() => sends.length === 2, 'two sends going');
    await new Promise((r) => setTimeout(r, 50));
    expect(sends.map((s) => s.batch)).toEqual([ids(1, 2), ids(3, 4)]); // never a third
    settle(1, true);
    await new Promise((r) => setTimeout(r, 50));
    expect(spool.ackedId('test')).toBe(0); // the second is through, the first is not: nothing released
    settle(0, true);
    await until(() => spool.ackedId('test') === rowIds[3], 'both released');
    await until(() => sends.length === 4, 'the next two going');
    expect(sends.slice(2).map((s) => s.batch)).toEqual([ids(5, 6), ids(7, 8)]);
    // The first of them fails after the second went through: both are sent again, in order.
    settle(3, true);
    settle(2, false);
    await until(() => sends.length === 6, 'the resend');
    expect(sends.slice(4).map((s) => s.batch)).toEqual([ids(5, 6), ids(7, 8)]);
    expect(spool.ackedId('test')).toBe(rowIds[3]);
    settle(4, true);
    settle(5, true);
    await until(() => spool.ackedId('test') === rowIds[7], 'all released');
    expect(output.status()).toMatchObject({ sent: 8, errors: 1 });
  });
});
