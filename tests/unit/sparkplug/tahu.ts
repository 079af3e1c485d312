/** Eclipse Tahu's JS payload codec, an independent decoder for the tests, with its Long values made plain. */
import { createRequire } from 'node:module';

export interface TahuMetric {
  name?: string;
  alias?: unknown;
  timestamp?: unknown;
  type: string;
  value: unknown;
  isHistorical?: boolean;
  properties?: Record<string, { type: string; value: unknown }>;
}
export interface TahuPayload {
  timestamp?: unknown;
  seq?: unknown;
  metrics?: TahuMetric[];
}
interface Tahu {
  encodePayload(p: unknown): Uint8Array;
  decodePayload(b: Uint8Array): TahuPayload;
}
export const tahu = createRequire(import.meta.url)('sparkplug-payload').get('spBv1.0') as Tahu;

/** A Long as a number (or a bigint past 2^53). */
export function plain(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'low' in value && 'high' in value) {
    const n = BigInt((value as { toString(): string }).toString());
    return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  return value;
}

export interface Decoded {
  timestamp: unknown;
  seq: unknown;
  metrics: Array<Omit<TahuMetric, 'alias' | 'timestamp'> & { alias?: unknown; timestamp?: unknown }>;
}

export function decodeWithTahu(bytes: Uint8Array): Decoded {
  const p = tahu.decodePayload(bytes);
  return {
    timestamp: plain(p.timestamp),
    seq: plain(p.seq),
    metrics: (p.metrics ?? []).map((m) => ({
      ...m,
      alias: plain(m.alias),
      timestamp: plain(m.timestamp),
      value: plain(m.value),
      ...(m.properties
        ? {
            properties: Object.fromEntries(
              Object.entries(m.properties).map(([k, v]) => [k, { type: v.type, value: plain(v.value) }]),
            ),
          }
        : {}),
    })),
  };
}
