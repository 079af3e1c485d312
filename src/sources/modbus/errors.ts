/**
 * Coded Modbus errors whose message tells a plant engineer what to check:
 * `MODBUS_TIMEOUT plc1 tcp://127.0.0.1:5020 unit 1: read holding 0..9 after 500ms`.
 * The code is stable (health, dashboards and tests match on it); the context repeats every
 * part of the message as data (device, endpoint, unitId, area, start, count, ...).
 */
import type { RegisterArea } from '../../config/schema.js';
import { LinesideError, type ErrorCode } from '../../lib/errors.js';

/** Who was asked: the device id, the transport endpoint and the unit id. */
export interface RequestTarget {
  readonly device: string;
  /** "tcp://10.0.0.5:502", "rtu:///dev/ttyUSB0", "rtu+tcp://10.0.0.9:4001". */
  readonly endpoint: string;
  readonly unitId: number;
}

/** What was asked: one read request (0-based protocol addresses). */
export interface ReadSpan {
  readonly area: RegisterArea;
  readonly start: number;
  readonly count: number;
}

/** Names of Modbus exception codes (Modbus Application Protocol v1.1b3, section 7). */
export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** Exceptions that mean the request itself is wrong for this device: a config error, not a fault. */
export function isConfigException(code: number): boolean {
  return code === 1 || code === 2 || code === 3;
}

/** Exceptions that mean the unit behind a gateway is not there. */
export function isOfflineException(code: number): boolean {
  return code === 10 || code === 11;
}

/** "read holding 0..9" (protocol addresses, inclusive). */
export function describeRead(span: ReadSpan): string {
  return `read ${span.area} ${span.start}..${span.start + span.count - 1}`;
}

function targetText(target: RequestTarget): string {
  return `${target.device} ${target.endpoint} unit ${target.unitId}`;
}

function targetContext(target: RequestTarget, span?: ReadSpan): Record<string, unknown> {
  return { device: target.device, endpoint: target.endpoint, unitId: target.unitId, ...(span ? { ...span } : {}) };
}

function requestError(
  code: ErrorCode,
  target: RequestTarget,
  span: ReadSpan,
  detail: string,
  extra: Record<string, unknown> = {},
  cause?: unknown,
): LinesideError {
  return new LinesideError(
    code,
    `${targetText(target)}: ${describeRead(span)} ${detail}`,
    { ...targetContext(target, span), ...extra },
    cause === undefined ? undefined : { cause },
  );
}

export function timeoutError(target: RequestTarget, span: ReadSpan, timeoutMs: number): LinesideError {
  return requestError('MODBUS_TIMEOUT', target, span, `after ${timeoutMs}ms`, { timeoutMs });
}

/** The connection closed (or the serial port vanished) while the request was waiting for its reply. */
export function closedError(target: RequestTarget, span: ReadSpan, why: string, cause?: unknown): LinesideError {
  return requestError('MODBUS_CLOSED', target, span, `failed: ${why}`, {}, cause);
}

/** A reply that is not a valid answer to the request (CRC, length, unit or function mismatch). */
export function badReplyError(target: RequestTarget, span: ReadSpan, why: string, cause?: unknown): LinesideError {
  return requestError('MODBUS_DECODE', target, span, `got a bad reply: ${why}`, {}, cause);
}

/**
 * An exception response. Codes 1/2/3 are configuration errors and carry the tags of the request
 * with their configured addresses, so the engineer knows which lines of the config to fix.
 */
export function exceptionError(
  target: RequestTarget,
  span: ReadSpan,
  exceptionCode: number,
  tags: readonly string[] = [],
): LinesideError {
  const name = EXCEPTION_NAMES[exceptionCode] ?? 'unknown exception';
  const offline = isOfflineException(exceptionCode);
  const hint =
    isConfigException(exceptionCode) && tags.length > 0
      ? '; check the address, area and type of these tags against the PLC manual'
      : offline
        ? '; the unit is offline or the gateway cannot reach it'
        : '';
  const tagText = tags.length > 0 ? ` (tags ${tags.join(', ')})` : '';
  return requestError(
    offline ? 'MODBUS_OFFLINE' : 'MODBUS_EXCEPTION',
    target,
    span,
    `answered exception ${exceptionCode} (${name})${tagText}${hint}`,
    { exceptionCode, tags: [...tags] },
  );
}

/** A TCP connect or serial open that failed. */
export function connectError(endpoint: string, why: string, serial: boolean, cause?: unknown): LinesideError {
  return new LinesideError(
    serial ? 'SERIAL_OPEN' : 'MODBUS_CONNECT',
    `${endpoint}: ${serial ? 'cannot open serial port' : 'cannot connect'}: ${why}`,
    { endpoint },
    cause === undefined ? undefined : { cause },
  );
}

/** An open connection or port that died (peer closed, reset, USB adapter unplugged). */
export function connectionLostError(endpoint: string, why: string, cause?: unknown): LinesideError {
  return new LinesideError(
    'MODBUS_CLOSED',
    `${endpoint}: connection lost: ${why}`,
    { endpoint },
    cause === undefined ? undefined : { cause },
  );
}

/** The transport refused a request without trying: it is backing off after failed connects. */
export function backingOffError(
  target: RequestTarget,
  span: ReadSpan,
  lastError: LinesideError,
  retryInMs: number,
): LinesideError {
  return new LinesideError(
    lastError.code,
    `${targetText(target)}: ${describeRead(span)} not sent: ${lastError.message} (next connect attempt in ${Math.max(0, Math.round(retryInMs))}ms)`,
    { ...lastError.context, ...targetContext(target, span), retryInMs, notSent: true },
  );
}

/** The source or probe was stopped while a request waited in the queue. */
export function stoppedError(target: RequestTarget, span: ReadSpan): LinesideError {
  return requestError('MODBUS_CLOSED', target, span, 'not sent: the transport was stopped', { notSent: true });
}

/** How the poller reacts to a failed request. */
export type FailureKind =
  /** Exceptions 1/2/3: the request is wrong for this device. Suppress it, poll the rest. */
  | 'config'
  /** Other exceptions (4 failure, 5 acknowledge, 6 busy): the unit is there; try again next poll. */
  | 'busy'
  /** Timeout, bad reply, 0x0A/0x0B: this unit is not answering. Stop the cycle, back off the unit. */
  | 'unit'
  /** Connect refused, connection lost, port gone: the transport backs off and reconnects. */
  | 'link';

export function failureKind(error: LinesideError): FailureKind {
  switch (error.code) {
    case 'MODBUS_EXCEPTION':
      return isConfigException(Number(error.context.exceptionCode)) ? 'config' : 'busy';
    case 'MODBUS_TIMEOUT':
    case 'MODBUS_OFFLINE':
    case 'MODBUS_DECODE':
      return 'unit';
    default:
      return 'link';
  }
}

/** Whether the request went on the wire (for the request counter). */
export function wasSent(error: LinesideError): boolean {
  if (error.context.notSent === true) return false;
  return error.code !== 'MODBUS_CONNECT' && error.code !== 'SERIAL_OPEN';
}
