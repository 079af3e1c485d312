import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { crossCheck } from './cross-checks.js';
import { substituteEnv } from './env-subst.js';
import type { ConfigIssue } from './issues.js';
import { ConfigSchema, type LinesideConfig } from './schema.js';
import { resolveFiles } from './secrets.js';
import { parseTolerantly, type Loose } from './tolerant.js';
import { parseYaml } from './yaml-source.js';
import { fromZodIssues } from './zod-issues.js';

/**
 * Largest config accepted, bytes. A real config is a few KB (the example, with every option
 * commented, is 16 KB); refusing a huge file before parsing keeps a stray 50 MB file from
 * costing hundreds of MB of memory.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

function tooBig(bytes: number): string {
  return `the file is ${(bytes / 1024 / 1024).toFixed(1)} MB; a config over 1 MB is refused before parsing (a real one is a few KB)`;
}

export type LoadResult =
  | { readonly ok: true; readonly config: Readonly<LinesideConfig> }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export interface LoadOptions {
  /** Environment for ${VAR} substitution (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory that relative secret and TLS file paths are resolved against. */
  readonly baseDir?: string;
  /**
   * Checks of files the config names, by the parts that own their format (the users file:
   * src/users/config-check.ts). Injected by the caller, so the config layer imports nothing above it.
   * They run on a config that only partly validated too.
   */
  readonly fileChecks?: readonly FileCheck[];
}

/** Problems of a file the (possibly partial) config names, located by the config path that names it. */
export type FileCheck = (config: Loose<LinesideConfig> | LinesideConfig) => ConfigIssue[];

/**
 * Parses, substitutes, validates and cross-checks a config. Every problem is collected (not
 * just the first), located by path and line:column, in file order, and nothing is started on a
 * bad config. When the schema finds problems, the cross-field checks still run on whatever
 * validated, so one wrong value does not hide the other mistakes in the file.
 */
export function loadConfigText(text: string, options: LoadOptions = {}): LoadResult {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_BYTES) return { ok: false, issues: [{ path: [], message: tooBig(bytes) }] };
  const parsed = parseYaml(text);
  if ('issues' in parsed) return { ok: false, issues: parsed.issues };
  const { source } = parsed;
  const located = (issues: ConfigIssue[]): LoadResult => ({
    ok: false,
    issues: inFileOrder(
      issues.map((i) => ({ ...i, ...(i.line === undefined ? (source.locate(i.path, i.atKey) ?? {}) : {}) })),
    ),
  });
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    return located([{ path: [], message: 'the config must be a YAML map (site:, devices:, lines:, ...)' }]);
  }
  const substituted = substituteEnv(source.value, options.env ?? process.env);
  const baseDir = options.baseDir ?? process.cwd();
  const result = ConfigSchema.safeParse(substituted.value, { reportInput: true });
  if (!result.success) {
    const partial = parseTolerantly(ConfigSchema, substituted.value) as Loose<LinesideConfig>;
    return located([
      ...substituted.issues,
      ...fromZodIssues(result.error, ConfigSchema, substituted.value),
      ...crossCheck(partial, substituted.value),
      ...resolveFiles(partial, baseDir),
      ...(options.fileChecks ?? []).flatMap((check) => check(partial)),
    ]);
  }
  const config = result.data;
  const issues = [...substituted.issues, ...crossCheck(config, substituted.value), ...resolveFiles(config, baseDir)];
  // After resolveFiles: the paths they check are absolute by then.
  issues.push(...(options.fileChecks ?? []).flatMap((check) => check(config)));
  if (issues.length > 0) return located(issues);
  return { ok: true, config: deepFreeze(config) };
}

/** One line per problem, in the order of the file (problems without a position first). */
export function inFileOrder(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const out = issues.filter((i) => {
    const key = `${i.path.join('\u0000')}\u0001${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Array.prototype.sort is stable: equal positions keep the order the checks found them in.
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

export function loadConfigFile(file: string, options: Omit<LoadOptions, 'baseDir'> = {}): LoadResult {
  const read = readBounded(file);
  if (typeof read !== 'string')
    return { ok: false, issues: [{ path: [], message: `cannot read ${resolve(file)}: ${read.why}` }] };
  return loadConfigText(read, { ...options, baseDir: dirname(resolve(file)) });
}

/**
 * Reads a config file, refusing one over MAX_CONFIG_BYTES without reading it (by its size, or
 * for a pipe or device, by reading one byte past the limit).
 */
export function readBounded(file: string): string | { why: string } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { why: 'it is a directory, not a file' };
    if (stat.isFile() && stat.size > MAX_CONFIG_BYTES) return { why: tooBig(stat.size) };
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_CONFIG_BYTES)
      return { why: 'more than 1 MB to read; a config over 1 MB is refused before parsing (a real one is a few KB)' };
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      why:
        code === 'ENOENT'
          ? 'file not found'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a directory, not a file'
              : String(err),
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function deepFreeze<T>(value: T): T {
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
