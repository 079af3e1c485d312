/**
 * One planned read through a transport, decoded per tag. Shared by the poller and the probe.
 * Exceptions 5 (acknowledge) and 6 (busy) are retried up to `busyRetries` times (default 2) after
 * a short pause each: the unit said "not now", not "never". Bounded twice: by the count, and by
 * the caller's deadline (the poller's: the next poll's due time), so retries never push a poll
 * into the next one. Every other exception (4 server device failure, 8, ...) is final at once.
 */
import type { LinesideError } from '../../lib/errors.js';
import { decodeBit, decodeRegisters, type DecodeResult } from './codec.js';
import type { RequestTarget } from './errors.js';
import type { PlannedRead, PlannedTag } from './planner.js';
import type { ModbusTransport, ReadReply } from './transport.js';

export interface ReadContext {
  readonly transport: ModbusTransport;
  readonly target: RequestTarget;
  readonly timeoutMs: number;
  readonly interRequestDelayMs: number;
  /** Pause before retrying after exception 5/6, ms. */
  readonly busyRetryDelayMs: number;
  /** Retries after exception 5/6 (so at most 1 + busyRetries requests); default BUSY_RETRIES. */
  readonly busyRetries?: number;
  /** Name the tags in exception messages (the poller does; the ad-hoc probe has no tag names). */
  readonly labelTags?: boolean;
  /** Told about an exception 5/6 that is about to be retried (so health still counts it). */
  readonly onRetry?: (error: LinesideError) => void;
}

export interface TagReading {
  readonly tag: PlannedTag;
  readonly result: DecodeResult;
}

export type ReadOutcome =
  | {
      readonly ok: true;
      readonly read: PlannedRead;
      readonly reply: ReadReply;
      readonly readings: readonly TagReading[];
    }
  | { readonly ok: false; readonly read: PlannedRead; readonly error: LinesideError };

/** Default retries of a request answered with exception 5 or 6. */
export const BUSY_RETRIES = 2;

/** Exception 5 (acknowledge) or 6 (busy): worth asking again after a pause. */
export function isBusyException(error: LinesideError): boolean {
  const code = Number(error.context?.exceptionCode);
  return error.code === 'MODBUS_EXCEPTION' && (code === 5 || code === 6);
}

/** "speed @ 40101" / "speed @ holding 100": how a tag is named in error messages. */
export function tagLabel(tag: PlannedTag): string {
  return `${tag.name} @ ${tag.configuredAddress}`;
}

/** The tag labels of a planned read, built once (a read is polled ten times a second for months). */
const labels = new WeakMap<PlannedRead, readonly string[]>();
function labelsOf(read: PlannedRead): readonly string[] {
  let out = labels.get(read);
  if (out === undefined) {
    out = read.tags.map(tagLabel);
    labels.set(read, out);
  }
  return out;
}

/**
 * Reads once, retrying exception 5/6 as described above. `deadlineMs` (performance.now() time
 * base): no retry pause is started that would end after it.
 */
export async function performRead(
  ctx: ReadContext,
  read: PlannedRead,
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<ReadOutcome> {
  const retries = ctx.busyRetries ?? BUSY_RETRIES;
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await ctx.transport.read({
        target: ctx.target,
        span: { area: read.area, start: read.start, count: read.count },
        timeoutMs: ctx.timeoutMs,
        interRequestDelayMs: ctx.interRequestDelayMs,
        tags: ctx.labelTags === false ? [] : labelsOf(read),
      });
      return { ok: true, read, reply, readings: decodeReply(read, reply) };
    } catch (err) {
      const error = err as LinesideError;
      if (attempt < retries && isBusyException(error) && performance.now() + ctx.busyRetryDelayMs <= deadlineMs) {
        ctx.onRetry?.(error);
        await new Promise((resolve) => setTimeout(resolve, ctx.busyRetryDelayMs));
        continue;
      }
      return { ok: false, read, error };
    }
  }
}

export function decodeReply(read: PlannedRead, reply: ReadReply): TagReading[] {
  return read.tags.map((tag) => {
    const index = tag.offset - read.start;
    const result =
      reply.bits !== undefined
        ? decodeBit(reply.bits, index)
        : decodeRegisters(reply.registers ?? [], index, tag.decode);
    return { tag, result };
  });
}
