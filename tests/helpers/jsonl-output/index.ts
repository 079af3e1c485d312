/**
 * A test-only output: the core's events as JSON lines in a file. The whole of what adding an
 * output takes: a factory (name, spooled, when it runs) whose destination says how a row becomes
 * a line, how to send a batch and which failures are worth a retry; the generic runner does the
 * rest (cursor, batching, retry with backoff, acknowledgement, status).
 */
import { appendFile } from 'node:fs/promises';
import { errorMessage } from '../../../src/lib/errors.js';
import type { OutputFactory } from '../../../src/outputs/output.js';
import { SpooledOutput } from '../../../src/outputs/runner.js';

export function jsonlOutput(
  file: string,
  options: { batchSize?: number; flushIntervalMs?: number } = {},
): OutputFactory {
  return {
    name: 'jsonl',
    spooled: true,
    enabled: () => true,
    readsSamples: () => false,
    create({ spool, logger }) {
      const output = new SpooledOutput<string>(
        {
          name: 'jsonl',
          kinds: ['event'],
          convert: (row) => (row.kind === 'event' ? JSON.stringify(row.event) : undefined),
          send: (lines) => appendFile(file, `${lines.join('\n')}\n`),
          // A full disk may empty again; a directory that is gone will not come back.
          failure: (err) => ({
            retryable: (err as NodeJS.ErrnoException).code !== 'ENOENT',
            message: errorMessage(err),
          }),
        },
        { spool, logger },
        {
          batchSize: options.batchSize ?? 100,
          flushIntervalMs: options.flushIntervalMs ?? 50,
          backoff: { initialMs: 20, maxMs: 200 },
        },
      );
      return {
        output,
        components: [{ name: 'jsonl', role: 'output', start: () => output.start(), stop: () => output.stop() }],
      };
    },
  };
}
