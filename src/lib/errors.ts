/**
 * One coded error type for the whole agent. The code is stable (tests and dashboards match on
 * it); the message is for people; the context names the device, address, path or route involved.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_YAML'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_ENV_MISSING'
  | 'CONFIG_SECRET_FILE'
  | 'ARGS_INVALID'
  | 'MODBUS_TIMEOUT'
  | 'MODBUS_EXCEPTION'
  | 'MODBUS_CONNECT'
  | 'MODBUS_CLOSED'
  | 'MODBUS_DECODE'
  | 'MODBUS_OFFLINE'
  | 'SERIAL_OPEN'
  | 'GPIO_OPEN'
  | 'GPIO_UNAVAILABLE'
  | 'MQTT_AUTH'
  | 'MQTT_CONNECT'
  | 'SPOOL_CORRUPT'
  | 'SPOOL_IO'
  | 'HISTORY_IO'
  | 'REPORT_IO'
  | 'REPORT_FAILED'
  | 'EMAIL_AUTH'
  | 'EMAIL_CONNECT'
  | 'EMAIL_TLS'
  | 'EMAIL_REJECTED'
  | 'EMAIL_FAILED'
  | 'WEBHOOK_CONNECT'
  | 'WEBHOOK_TLS'
  | 'WEBHOOK_HTTP'
  | 'WEBHOOK_FAILED'
  | 'INFLUX_WRITE'
  | 'INFLUX_POISON'
  | 'SERVER_START'
  | 'USERS_INVALID'
  | 'USERS_IO'
  | 'DEMO_BROKEN'
  | 'NOT_FOUND'
  | 'NOT_AVAILABLE'
  | 'INTERNAL';

export class LinesideError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinesideError';
    this.code = code;
    this.context = Object.freeze({ ...context });
  }

  /** "CODE message", the form logs and health endpoints show. */
  override toString(): string {
    return `${this.code} ${this.message}`;
  }
}

export function isLinesideError(err: unknown): err is LinesideError {
  return err instanceof LinesideError;
}

/** Message of any thrown value, without assuming it is an Error. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
