/**
 * The last acknowledged message of every retained topic we publish (station state, OEE, tag
 * values). Republished on every connect, before the backlog, because a broker without
 * persistence (aedes, mosquitto with `persistence false`) forgets retained messages when it
 * restarts: without this, a dashboard subscribing after a broker restart would see no state
 * until each station changed state again. Republishing the last *acknowledged* value (not the
 * newest spooled one) keeps the retained value converging on the newest: the backlog that
 * follows is older-to-newer.
 *
 * Event topics are persisted through a spool checkpoint (few, slow-changing topics), so they
 * survive an agent restart too; tag values are kept in memory only (they change too often to
 * write to the SD card, and the first sample after a restart is published anyway).
 */
import type { Spool } from '../spool/index.js';

const CHECKPOINT_KEY = 'mqtt.retained';

interface Entry {
  payload: string;
  /** Spool id of the message, so a late acknowledgement of an older resend cannot win. */
  id: number;
}

export class RetainedCache {
  private readonly events = new Map<string, Entry>();
  private readonly samples = new Map<string, Entry>();

  constructor(private readonly spool: Spool) {
    const saved = spool.getCheckpoint(CHECKPOINT_KEY);
    if (saved !== null && typeof saved === 'object' && !Array.isArray(saved)) {
      for (const [topic, entry] of Object.entries(saved as Record<string, unknown>)) {
        const e = entry as Partial<Entry> | null;
        if (e !== null && typeof e === 'object' && typeof e.payload === 'string' && typeof e.id === 'number') {
          this.events.set(topic, { payload: e.payload, id: e.id });
        }
      }
    }
  }

  /** The broker acknowledged a retained message. */
  confirm(topic: string, payload: string, id: number, kind: 'event' | 'sample'): void {
    const map = kind === 'event' ? this.events : this.samples;
    const current = map.get(topic);
    if (current !== undefined && current.id > id) return;
    map.set(topic, { payload, id });
    if (kind === 'event') this.spool.setCheckpoint(CHECKPOINT_KEY, Object.fromEntries(this.events));
  }

  /** Event topics first (state, OEE), then tag values. */
  entries(): Array<{ topic: string; payload: string; kind: 'event' | 'sample' }> {
    return [
      ...[...this.events].map(([topic, e]) => ({ topic, payload: e.payload, kind: 'event' as const })),
      ...[...this.samples].map(([topic, e]) => ({ topic, payload: e.payload, kind: 'sample' as const })),
    ];
  }
}
