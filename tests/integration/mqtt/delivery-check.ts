/**
 * What a consumer of the UNS does with what it received: deduplicate by eventId, then check that
 * nothing committed is missing, every station's seq increases, and timestamps are the originals.
 */
import type { CommittedEvent } from '../../helpers/publisher-process.js';
import type { Received } from './subscriber.js';

export interface DeliveryReport {
  /** Committed events of the checked types that never arrived. */
  missing: CommittedEvent[];
  /** Event ids that arrived more than once with different payloads (a reused id: data loss). */
  conflicting: string[];
  /** "station: seq a then b" where the deduplicated arrival order went backwards. */
  outOfOrder: string[];
  /** Events whose payload ts differs from the committed one. */
  wrongTs: string[];
  /** Messages received in total and after dedupe. */
  received: number;
  unique: number;
}

const CHECKED = new Set(['cycle', 'state', 'downtime']);

export function checkDelivery(committed: readonly CommittedEvent[], messages: readonly Received[]): DeliveryReport {
  const firstPayload = new Map<string, string>();
  const conflicting = new Set<string>();
  const order = new Map<string, number[]>();
  const received = messages.filter(
    (m) => m.json !== undefined && typeof m.json.eventId === 'string' && CHECKED.has(m.topic.split('/').at(-1) ?? ''),
  );
  for (const m of received) {
    const id = String(m.json?.eventId);
    const seen = firstPayload.get(id);
    if (seen === undefined) {
      firstPayload.set(id, m.text);
      const station = m.topic.split('/')[3] ?? '?';
      const list = order.get(station) ?? [];
      list.push(Number(m.json?.seq));
      order.set(station, list);
    } else if (seen !== m.text) {
      conflicting.add(id);
    }
  }
  const outOfOrder: string[] = [];
  for (const [station, seqs] of order) {
    for (let i = 1; i < seqs.length; i++) {
      if ((seqs[i] ?? 0) <= (seqs[i - 1] ?? 0)) outOfOrder.push(`${station}: seq ${seqs[i - 1]} then ${seqs[i]}`);
    }
  }
  const missing: CommittedEvent[] = [];
  const wrongTs: string[] = [];
  for (const e of committed) {
    if (!CHECKED.has(e.type)) continue;
    const text = firstPayload.get(e.eventId);
    if (text === undefined) {
      missing.push(e);
      continue;
    }
    const ts = (JSON.parse(text) as { ts?: string }).ts;
    if (ts !== new Date(e.ts).toISOString())
      wrongTs.push(`${e.eventId}: sent ${ts}, committed ${new Date(e.ts).toISOString()}`);
  }
  return {
    missing,
    conflicting: [...conflicting],
    outOfOrder,
    wrongTs,
    received: received.length,
    unique: firstPayload.size,
  };
}
