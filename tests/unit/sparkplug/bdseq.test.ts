/** bdSeq on disk: one more per CONNECT, 255 -> 0, kept across restarts, a dial that sent nothing given back. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BdSeqStore } from '../../../src/outputs/sparkplug/bdseq.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lineside-bdseq-'));
  dirs.push(dir);
  return path.join(dir, 'sparkplug-bdseq.json');
}

describe('BdSeqStore', () => {
  it('tck-id-payloads-nbirth-bdseq-repeat: starts at 0, counts on across a restart, wraps 255 -> 0', () => {
    const f = file();
    const a = new BdSeqStore(f);
    expect([a.next(), a.next()]).toEqual([0, 1]);
    const b = new BdSeqStore(f); // a restart
    expect(b.previous).toBe(1);
    expect(b.next()).toBe(2);
    writeFileSync(f, JSON.stringify({ bdSeq: 255 }));
    expect(new BdSeqStore(f).next()).toBe(0);
  });

  it('is on disk before the CONNECT that uses it', () => {
    const f = file();
    const s = new BdSeqStore(f);
    s.next();
    const v = s.next();
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual({ bdSeq: v });
  });

  it('gives back a value whose CONNECT never went out, on disk too', () => {
    const f = file();
    const s = new BdSeqStore(f);
    expect(s.next()).toBe(0);
    expect(s.next()).toBe(1);
    s.release();
    expect(new BdSeqStore(f).previous).toBe(0);
    expect(s.next()).toBe(1);
    const fresh = new BdSeqStore(file());
    fresh.next();
    fresh.release();
    expect(fresh.next()).toBe(0);
  });

  it('starts at 0 when the file is missing or broken', () => {
    const f = file();
    writeFileSync(f, 'not json');
    expect(new BdSeqStore(f).next()).toBe(0);
    writeFileSync(f, JSON.stringify({ bdSeq: 999 }));
    expect(new BdSeqStore(f).next()).toBe(0);
  });
});
