import { EXIT, type CliIo } from './io.js';

/** `lineside simulate`: the virtual line alone, for external Modbus masters. */
export async function runSimulate(args: string[], io: CliIo): Promise<number> {
  const sim = (await import('../../simulator/index.js')) as { runSimulateCli?: (argv: string[], io?: CliIo) => Promise<number> };
  if (sim.runSimulateCli === undefined) {
    io.stderr.write('lineside simulate: not available yet\n');
    return EXIT.runtime;
  }
  return sim.runSimulateCli(args, io);
}
