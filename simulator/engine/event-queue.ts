/**
 * The discrete-event queue: a binary min-heap ordered by (time, insertion sequence). Ties at the
 * same millisecond run in the order they were scheduled, which keeps runs deterministic.
 */

interface Entry {
  readonly atMs: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(atMs: number, run: () => void): void {
    if (!Number.isFinite(atMs)) return;
    const entry = { atMs, seq: this.seq++, run };
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, h[parent] as Entry)) break;
      h[i] = h[parent] as Entry;
      i = parent;
    }
    h[i] = entry;
  }

  /** Time of the next event, or Infinity. */
  peekTime(): number {
    return this.heap.length > 0 ? (this.heap[0] as Entry).atMs : Infinity;
  }

  /** Removes and returns the next event's action. */
  pop(): (() => void) | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop() as Entry;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = last;
        let at = -1;
        if (l < h.length && before(h[l] as Entry, smallest)) {
          smallest = h[l] as Entry;
          at = l;
        }
        if (r < h.length && before(h[r] as Entry, smallest)) {
          smallest = h[r] as Entry;
          at = r;
        }
        if (at < 0) break;
        h[i] = smallest;
        i = at;
      }
      h[i] = last;
    }
    return top.run;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
