/**
 * A damaged spool file must not stop the agent: it is moved aside (kept for forensics), a new
 * spool starts, and the recovery is loud (error log + health). A file from a newer Lineside is
 * refused with SPOOL_IO rather than silently rewritten.
 */
import {
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
  closeSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LinesideError } from '../../../src/lib/errors.js';
import { openSpool, type Spool, type SpoolOptions } from '../../../src/outputs/spool/index.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { captureLogger } from './log-capture.js';
import { ManualClock, cycle, sample } from './make-events.js';

const dirs: string[] = [];
const spools: Spool[] = [];
afterEach(() => {
  for (const s of spools.splice(0)) s.close();
  for (const d of dirs.splice(0)) removeTempDir(d);
});

function tempDir(): string {
  const dir = createTempDir('spool-corrupt');
  dirs.push(dir);
  return dir;
}

function options(dir: string, extra: Partial<SpoolOptions> = {}): SpoolOptions {
  return {
    dir,
    maxBytes: 64 * 1024 * 1024,
    maxAgeMs: 86_400_000,
    commitIntervalMs: 60_000,
    destinations: ['mqtt'],
    clock: new ManualClock(),
    logger: silentLogger,
    ...extra,
  };
}

function open(dir: string, extra: Partial<SpoolOptions> = {}): Spool {
  const spool = openSpool(options(dir, extra));
  spools.push(spool);
  return spool;
}

function expectRecovered(dir: string, spool: Spool, log: ReturnType<typeof captureLogger>, original: Buffer): void {
  const health = spool.health();
  expect(health.recovered).toBeDefined();
  const movedTo = health.recovered?.movedTo ?? '';
  expect(path.dirname(movedTo)).toBe(dir);
  expect(readFileSync(movedTo).subarray(0, 100)).toEqual(original.subarray(0, 100)); // kept as it was
  const errors = log.lines.filter((l) => l.level >= 50 && l.msg.startsWith('SPOOL_CORRUPT'));
  expect(errors).toHaveLength(1);
  expect(errors[0]?.msg).toContain(movedTo);
  // The fresh spool works.
  const id = spool.appendEvent(cycle('press', 1, Date.UTC(2026, 2, 2, 6)));
  spool.flush();
  expect(spool.read('mqtt', 0, 10).map((r) => r.id)).toEqual([id]);
}

describe('spool integrity check at start', () => {
  it('moves a file that is not a database aside and starts a new spool', () => {
    const dir = tempDir();
    const file = path.join(dir, 'spool.db');
    const garbage = Buffer.from('this is not an SQLite file, it is what a torn SD card write left behind'.repeat(100));
    writeFileSync(file, garbage);
    const log = captureLogger();
    const spool = open(dir, { logger: log.logger });
    expectRecovered(dir, spool, log, garbage);
  });

  it('moves a database whose pages are damaged aside', () => {
    const dir = tempDir();
    let spool = open(dir);
    const t = Date.UTC(2026, 2, 2, 6);
    for (let i = 0; i < 5_000; i++) spool.appendSample(sample(`plc1.tag${i % 7}`, i, t + i));
    spool.close();
    spools.splice(0);
    const file = path.join(dir, 'spool.db');
    // Overwrite the middle of the file (b-tree pages) with junk, keeping the header intact.
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(8_192, 0xa5), 0, 8_192, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const damaged = readFileSync(file);

    const log = captureLogger();
    spool = open(dir, { logger: log.logger });
    expectRecovered(dir, spool, log, damaged);
    expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('opens a sound file without moving anything', () => {
    const dir = tempDir();
    let spool = open(dir);
    spool.appendEvent(cycle('press', 1, Date.UTC(2026, 2, 2, 6)));
    spool.close();
    spools.splice(0);
    spool = open(dir);
    expect(spool.health().recovered).toBeUndefined();
    expect(readdirSync(dir).some((f) => f.includes('.corrupt-'))).toBe(false);
    expect(spool.read('mqtt', 0, 10)).toHaveLength(1);
  });

  it('refuses a spool written by a newer Lineside with SPOOL_IO naming the file, and leaves it alone', () => {
    const dir = tempDir();
    const file = path.join(dir, 'spool.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    let thrown: unknown;
    try {
      open(dir);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LinesideError);
    expect((thrown as LinesideError).code).toBe('SPOOL_IO');
    expect((thrown as LinesideError).message).toContain(file);
    expect((thrown as LinesideError).message).toContain('newer');
    expect(existsSync(file)).toBe(true);
  });
});
