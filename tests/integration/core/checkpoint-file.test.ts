/**
 * The checkpoint file on a real file system: a restart finds what was saved, a torn or foreign
 * file never stops the agent from starting, and rapid saves end with the newest checkpoint.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreCheckpoint } from '../../../src/core/checkpoint.js';
import { isLinesideError } from '../../../src/lib/errors.js';
import { createFileCheckpointStore, type CheckpointFileDiagnostic } from '../../../src/outputs/checkpoint-file.js';
import { Driver, H, ManualClock, MONDAY_UTC, oneStation, S } from '../../unit/core/helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lineside-checkpoint-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function checkpointAfter(parts: number): CoreCheckpoint {
  const d = new Driver(oneStation(), { wallAtZero: MONDAY_UTC + 6 * H });
  d.poll(0, { 'plc1.count': 0, 'plc1.running': true, 'plc1.fault': 0 });
  for (let i = 1; i <= parts; i++) d.poll(i * 10 * S, { 'plc1.count': i });
  d.tick(parts * 10 * S);
  return d.core.checkpoint();
}

describe('file checkpoint store', () => {
  it('a restarted core continues from the saved checkpoint; no temporary file is left behind', async () => {
    const path = join(dir, 'state', 'core.json');
    const store = createFileCheckpointStore(path);
    expect(await store.load()).toBeUndefined();
    await store.save(checkpointAfter(30));
    expect(readdirSync(join(dir, 'state'))).toEqual(['core.json']);
    const loaded = await store.load();
    expect(loaded).toBeDefined();
    const clock = new ManualClock(MONDAY_UTC + 6 * H + 310 * S);
    const d = new Driver(oneStation(), { clock, ...(loaded !== undefined ? { restore: loaded } : {}) });
    d.poll(0, { 'plc1.count': 31, 'plc1.running': true, 'plc1.fault': 0 }).tick(0);
    expect(d.core.snapshot()[0]?.stations[0]?.counts.total).toBe(31);
  });

  it('a torn file is moved aside and reported; the agent starts fresh and can save again', async () => {
    const path = join(dir, 'core.json');
    writeFileSync(path, '{"version":1,"savedAtWall":17361');
    const seen: CheckpointFileDiagnostic[] = [];
    const store = createFileCheckpointStore(path, { onDiagnostic: (x) => seen.push(x), now: () => Date.UTC(2025, 0, 6, 7) });
    expect(await store.load()).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.code).toBe('CHECKPOINT_CORRUPT');
    expect(seen[0]?.context.reason).toMatch(/not JSON/);
    const aside = readdirSync(dir).find((f) => f.startsWith('core.json.corrupt-'));
    expect(aside).toBe('core.json.corrupt-2025-01-06T07-00-00-000Z');
    expect(readFileSync(join(dir, aside as string), 'utf8')).toContain('17361');
    await store.save(checkpointAfter(1));
    expect(await store.load()).toBeDefined();
  });

  it('valid JSON that is not a checkpoint is treated the same way', async () => {
    const path = join(dir, 'core.json');
    writeFileSync(path, JSON.stringify({ version: 99, stations: {} }));
    const seen: CheckpointFileDiagnostic[] = [];
    const store = createFileCheckpointStore(path, { onDiagnostic: (x) => seen.push(x) });
    expect(await store.load()).toBeUndefined();
    expect(seen[0]?.context.reason).toMatch(/version/);
  });

  it('a leftover temporary file from a crash mid-write does not affect the checkpoint', async () => {
    const path = join(dir, 'core.json');
    const store = createFileCheckpointStore(path);
    await store.save(checkpointAfter(5));
    writeFileSync(`${path}.${process.pid}.tmp`, '{"half": ');
    const loaded = await store.load();
    expect(loaded?.stations.press?.seq).toBeGreaterThan(0);
    await store.save(checkpointAfter(6));
    expect(readdirSync(dir).sort()).toEqual(['core.json']);
  });

  it('rapid saves coalesce and the newest checkpoint is the one on disk', async () => {
    const path = join(dir, 'core.json');
    const store = createFileCheckpointStore(path);
    const checkpoints = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => checkpointAfter(n));
    await Promise.all(checkpoints.map((c) => store.save(c)));
    const loaded = await store.load();
    expect(loaded).toEqual(JSON.parse(JSON.stringify(checkpoints.at(-1))));
  });

  it('saveSync writes atomically for shutdown', async () => {
    const path = join(dir, 'core.json');
    const store = createFileCheckpointStore(path);
    store.saveSync(checkpointAfter(3));
    expect((await store.load())?.savedAtWall).toBe(MONDAY_UTC + 6 * H + 30 * S);
    expect(readdirSync(dir)).toEqual(['core.json']);
  });

  it('a save that cannot be written fails with SPOOL_IO naming the path', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const store = createFileCheckpointStore(join(blocker, 'core.json'));
    const err = await store.save(checkpointAfter(1)).catch((e: unknown) => e);
    expect(isLinesideError(err) && err.code).toBe('SPOOL_IO');
    expect(isLinesideError(err) && err.context.path).toBe(join(blocker, 'core.json'));
    expect(() => store.saveSync(checkpointAfter(1))).toThrow(/cannot write checkpoint/);
  });
});
