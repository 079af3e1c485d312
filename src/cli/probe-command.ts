import type { CliIo } from './io.js';

/** `lineside probe`: ad-hoc register reads while commissioning. */
export async function runProbeCommand(args: string[], io: CliIo): Promise<number> {
  const { runProbe } = await import('./probe.js');
  return runProbe(args, io);
}
