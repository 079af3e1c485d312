/** A real pino logger whose JSON lines the test can read back. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../../src/lib/logger.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CapturedLogger {
  logger: Logger;
  lines: LogLine[];
  /** Lines whose message contains `text`. */
  matching(text: string): LogLine[];
  text(): string;
}

export function captureLogger(): CapturedLogger {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  // Same redaction as the agent's logger, so tests also prove secrets never reach a line.
  const logger = pino(
    { level: 'debug', redact: { paths: ['password', '*.password', '*.*.password'], censor: '[redacted]' } },
    stream,
  );
  return {
    logger,
    lines,
    matching: (text) => lines.filter((l) => l.msg.includes(text)),
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
  };
}
