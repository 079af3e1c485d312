import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'operatorToken',
  '*.operatorToken',
  'viewToken',
  '*.viewToken',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'req.headers.cookie',
];

/**
 * The agent's root logger: JSON lines on stdout (journald keeps them), level from the config
 * unless LINESIDE_LOG_LEVEL overrides it. Components take `logger.child({ component })`.
 */
export function createLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream): Logger {
  const envLevel = process.env.LINESIDE_LOG_LEVEL as LevelWithSilent | undefined;
  const options = {
    level: envLevel ?? level,
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A logger that drops everything, for tests and pure-code callers that need one. */
export const silentLogger: Logger = pino({ level: 'silent' });
