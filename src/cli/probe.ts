/**
 * `lineside probe`: read registers once while commissioning.
 *
 *   lineside probe tcp://10.0.0.5:502 --unit 1 --holding 0-20 --type float32 --order CDAB
 *   lineside probe tcp://10.0.0.5:502 --holding 0-1 --type float32 --order all   # which order?
 *   lineside probe "rtu:///dev/ttyUSB0?baud=19200&parity=even" --unit 3 --input 0-9
 *   lineside probe tcp://10.0.0.5 --addr 40001-40010
 *   lineside probe -c config.yaml --device plc1
 *
 * Exit codes: 0 every read answered, 1 unreachable / timeout / exception, 2 bad arguments or config.
 * This file reads the command line and hands over: probe-adhoc.ts reads from a URL (its options
 * checked by probe-args.ts), probe-config.ts reads a configured device.
 */
import { parseArgs } from 'node:util';
import { EXIT, type CliIo } from './io.js';
import { probeAdHoc } from './probe-adhoc.js';
import { parseTimeout, UsageError } from './probe-args.js';
import { probeConfigDevice } from './probe-config.js';
import { orderHelp } from './probe-orders.js';

const USAGE = `usage:
  lineside probe URL [--unit N] (--holding|--input|--coils|--discrete RANGE | --addr MODICON-RANGE)
                     [--type T] [--order O|all] [--length N] [--base 0|1] [--timeout 1s]
  lineside probe -c CONFIG --device ID [--timeout 1s]

  URL     tcp://HOST[:502] | rtu+tcp://HOST:PORT | "rtu:///dev/ttyUSB0?baud=19200&parity=even&databits=8&stopbits=1"
  RANGE   first-last register (inclusive) or one address: 0-20, 100
  --addr  Modicon addresses, area from the first digit: 40001-40010 (holding), 30001 (input), 00001, 10001
  --type  uint16 (default), int16, uint32, int32, uint64, int64, float32, float64, string, bool
${orderHelp()}  --base  1 when the manual numbers registers from 1
`;

export async function runProbe(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        device: { type: 'string', short: 'd' },
        unit: { type: 'string', short: 'u' },
        holding: { type: 'string' },
        input: { type: 'string' },
        coils: { type: 'string' },
        discrete: { type: 'string' },
        addr: { type: 'string' },
        type: { type: 'string', short: 't' },
        order: { type: 'string' },
        length: { type: 'string' },
        base: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    const timeoutMs = values.timeout !== undefined ? parseTimeout(values.timeout) : undefined;
    if (values.config !== undefined) {
      if (positionals.length > 0) throw new UsageError(`with -c, give --device, not a URL ("${positionals[0]}")`);
      if (values.device === undefined) throw new UsageError('-c needs --device ID: which device of the config to read');
      // Silently ignoring it would print the configured orders under a flag that asked for others.
      if (values.order !== undefined)
        throw new UsageError(
          'with -c each tag is decoded in its configured order; --order (and --order all) is for ad-hoc reads from a URL',
        );
      return await probeConfigDevice(values.config, values.device, timeoutMs, io);
    }
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length === 0
          ? 'give the endpoint URL, or -c CONFIG --device ID'
          : `one URL only, got ${positionals.join(' ')}`,
      );
    return await probeAdHoc(positionals[0] as string, values, timeoutMs ?? 1_000, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`lineside probe: ${(err as Error).message}\n\n${USAGE}`);
      return EXIT.badInput;
    }
    throw err;
  }
}
