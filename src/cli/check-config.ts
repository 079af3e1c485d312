import { formatIssue } from '../config/issues.js';
import { loadConfigFile, summarize } from '../config/load.js';
import { configFileKind, loadPlantConfigFile, summarizePlant } from '../config/plant-load.js';
import { EXIT, type CliIo } from './io.js';
import { CONFIG_FILE_CHECKS } from '../users/config-check.js';

export const CHECK_CONFIG_HELP = `usage: lineside check-config FILE

Validates a config file without starting anything. Exit 0 with a one-line summary,
or exit 2 listing every problem as "path (line:column): message".
A plant server file (kind: plant, or a top-level sites: key; docs/plant.md) is checked
against the plant schema; any other file against the agent's.
`;

export function runCheckConfig(args: readonly string[], io: CliIo): number {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(CHECK_CONFIG_HELP);
    return EXIT.ok;
  }
  const files = args.filter((a) => !a.startsWith('-'));
  const file = files[0] ?? (args[0] === '-c' ? args[1] : undefined);
  if (file === undefined || files.length > 1) {
    io.stderr.write(`lineside check-config: expected one FILE\n\n${CHECK_CONFIG_HELP}`);
    return EXIT.badInput;
  }
  const result =
    configFileKind(file) === 'plant'
      ? loadPlantConfigFile(file)
      : loadConfigFile(file, { fileChecks: CONFIG_FILE_CHECKS });
  if (!result.ok) {
    io.stderr.write(`${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n`);
    for (const issue of result.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
    return EXIT.badInput;
  }
  const summary = 'sites' in result.config ? summarizePlant(result.config) : summarize(result.config);
  io.stdout.write(`${file}: ok (${summary})\n`);
  return EXIT.ok;
}
