import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { crossCheck } from './cross-checks.js';
import { substituteEnv } from './env-subst.js';
import type { ConfigIssue } from './issues.js';
import { ConfigSchema, type LinesideConfig } from './schema.js';
import { resolveFiles } from './secrets.js';
import { parseYaml } from './yaml-source.js';
import { fromZodIssues } from './zod-issues.js';

export type LoadResult =
  | { readonly ok: true; readonly config: Readonly<LinesideConfig> }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export interface LoadOptions {
  /** Environment for ${VAR} substitution (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory that relative secret and TLS file paths are resolved against. */
  readonly baseDir?: string;
}

/**
 * Parses, substitutes, validates and cross-checks a config. Every problem is collected (not
 * just the first), located by path and line:column, and nothing is started on a bad config.
 */
export function loadConfigText(text: string, options: LoadOptions = {}): LoadResult {
  const parsed = parseYaml(text);
  if ('issues' in parsed) return { ok: false, issues: parsed.issues };
  const { source } = parsed;
  const located = (issues: ConfigIssue[]): LoadResult => ({
    ok: false,
    issues: issues.map((i) => ({ ...i, ...(i.line === undefined ? source.locate(i.path, i.atKey) ?? {} : {}) })),
  });
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    return located([{ path: [], message: 'the config must be a YAML map (site:, devices:, lines:, ...)' }]);
  }
  const substituted = substituteEnv(source.value, options.env ?? process.env);
  const result = ConfigSchema.safeParse(substituted.value);
  if (!result.success) return located([...substituted.issues, ...fromZodIssues(result.error, ConfigSchema)]);
  const config = result.data;
  const issues = [...substituted.issues, ...crossCheck(config), ...resolveFiles(config, options.baseDir ?? process.cwd())];
  if (issues.length > 0) return located(issues);
  return { ok: true, config: deepFreeze(config) };
}

export function loadConfigFile(file: string, options: Omit<LoadOptions, 'baseDir'> = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(err);
    return { ok: false, issues: [{ path: [], message: `cannot read ${resolve(file)}: ${why}` }] };
  }
  return loadConfigText(text, { ...options, baseDir: dirname(resolve(file)) });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** "2 lines, 3 stations, 2 devices, 21 tags, 1 GPIO input" */
export function summarize(config: LinesideConfig): string {
  const stations = config.lines.reduce((n, l) => n + l.stations.length, 0);
  const tags = config.devices.reduce((n, d) => n + d.tags.length, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    plural(config.lines.length, 'line'),
    plural(stations, 'station'),
    plural(config.devices.length, 'device'),
    plural(tags, 'tag'),
    plural(config.gpio.inputs.length, 'GPIO input'),
  ].join(', ');
}
