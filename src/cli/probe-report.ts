/** `lineside probe`'s errors: each distinct one once on stderr with a hint, and the exit code they mean. */
import type { RegisterArea } from '../config/schema.js';
import { hintFor, type ProbeResult } from '../sources/modbus/probe-session.js';
import { EXIT, type CliIo } from './io.js';

export function reportErrors(result: ProbeResult, io: CliIo, area?: RegisterArea): number {
  const seen = new Set<string>();
  for (const { error } of result.errors) {
    const text = error.toString();
    if (seen.has(text)) continue;
    seen.add(text);
    const hint = hintFor(error, area);
    io.stderr.write(`error: ${text}\n${hint !== '' ? `  hint: ${hint}\n` : ''}`);
  }
  return result.errors.length > 0 ? EXIT.runtime : EXIT.ok;
}
