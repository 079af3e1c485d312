import { runSimulateCli } from '../../simulator/index.js';
import type { CliIo } from './io.js';

/** `lineside simulate`: the virtual line alone, for external Modbus masters. */
export function runSimulate(args: string[], io: CliIo): Promise<number> {
  return runSimulateCli(args, io);
}
