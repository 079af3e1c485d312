/**
 * One planned read through a transport, decoded per tag. Shared by the poller and the probe.
 * Exceptions 5 (acknowledge) and 6 (busy) are retried once after a short pause: the unit said
 * "not now", not "never".
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
  | { readonly ok: true; readonly read: PlannedRead; readonly reply: ReadReply; readonly readings: readonly TagReading[] }
  | { readonly ok: false; readonly read: PlannedRead; readonly error: LinesideError };

/** "speed @ 40101" / "speed @ holding 100": how a tag is named in error messages. */
export function tagLabel(tag: PlannedTag): string {
  return `${tag.name} @ ${tag.configuredAddress}`;
}

export async function performRead(ctx: ReadContext, read: PlannedRead, retryBusy = true): Promise<ReadOutcome> {
  try {
    const reply = await ctx.transport.read({
      target: ctx.target,
      span: { area: read.area, start: read.start, count: read.count },
      timeoutMs: ctx.timeoutMs,
      interRequestDelayMs: ctx.interRequestDelayMs,
      tags: ctx.labelTags === false ? [] : read.tags.map(tagLabel),
    });
    return { ok: true, read, reply, readings: decodeReply(read, reply) };
  } catch (err) {
    const error = err as LinesideError;
    const code = Number(error.context?.exceptionCode);
    if (retryBusy && error.code === 'MODBUS_EXCEPTION' && (code === 5 || code === 6)) {
      ctx.onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, ctx.busyRetryDelayMs));
      return performRead(ctx, read, false);
    }
    return { ok: false, read, error };
  }
}

export function decodeReply(read: PlannedRead, reply: ReadReply): TagReading[] {
  return read.tags.map((tag) => {
    const index = tag.offset - read.start;
    const result = reply.bits !== undefined ? decodeBit(reply.bits, index) : decodeRegisters(reply.registers ?? [], index, tag.decode);
    return { tag, result };
  });
}
