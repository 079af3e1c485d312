/** One problem found in a config file, located by its path and, where known, line:column. */
export interface ConfigIssue {
  /** Path into the config, e.g. ["lines", 0, "stations", 1, "signals", "cycleCounter"]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** 1-based position in the YAML source, when the path exists there. */
  readonly line?: number;
  readonly column?: number;
  /** Locate the map key itself rather than its value (unknown keys). */
  readonly atKey?: boolean;
}

/** "lines[0].stations[1].signals.cycleCounter" */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

/** "lines[0].stations[1].signals.cycleCounter (12:15): no tag ..." */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line !== undefined ? ` (${issue.line}:${issue.column ?? 1})` : '';
  return `${formatPath(issue.path)}${where}: ${issue.message}`;
}
