/**
 * Reads and validates scenario files. Every problem is collected with its path and, where the
 * YAML has it, line:column, like `lineside check-config` does for configs.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatIssue } from '../src/config/issues.js';
import { parseYaml } from '../src/config/yaml-source.js';
import { packageRoot } from '../src/lib/paths.js';
import { fromZodIssues } from '../src/config/zod-issues.js';
import { checkScenario, type ScenarioIssue } from './scenario-checks.js';
import { ScenarioSchema, type Scenario } from './scenario-schema.js';

export type ScenarioLoadResult =
  | { readonly ok: true; readonly scenario: Readonly<Scenario>; readonly file?: string }
  | { readonly ok: false; readonly issues: readonly ScenarioIssue[]; readonly file?: string };

/**
 * The bundled scenarios' directory. Resolved from the package root, not from this module, because
 * the compiled module lives in dist/simulator/ while the YAML files ship in simulator/scenarios/.
 */
export const SCENARIO_DIR = join(packageRoot(), 'simulator', 'scenarios');

/** Names of the bundled scenarios. */
export const BUNDLED_SCENARIOS = [
  'demo',
  'steady',
  'degrading',
  'degrading-rough',
  'flaky-comms',
  'changeovers',
] as const;

export function loadScenarioText(text: string): ScenarioLoadResult {
  const parsed = parseYaml(text);
  if ('issues' in parsed) return { ok: false, issues: parsed.issues };
  const { source } = parsed;
  const located = (issues: ScenarioIssue[]): ScenarioLoadResult => ({
    ok: false,
    issues: issues.map((i) => ({ ...i, ...(i.line === undefined ? (source.locate(i.path) ?? {}) : {}) })),
  });
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    return located([{ path: [], message: 'a scenario must be a YAML map (name:, line:, plcs:, ...)' }]);
  }
  const result = ScenarioSchema.safeParse(source.value);
  if (!result.success) return located(fromZodIssues(result.error, ScenarioSchema));
  const issues = checkScenario(result.data);
  if (issues.length > 0) return located(issues);
  return { ok: true, scenario: deepFreeze(result.data) };
}

/**
 * Loads a scenario file. A bare bundled name ("demo", "steady") resolves to
 * simulator/scenarios/<name>.yaml.
 */
export function loadScenarioFile(file: string): ScenarioLoadResult {
  const path = resolveScenarioPath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(err);
    return { ok: false, file: path, issues: [{ path: [], message: `cannot read ${path}: ${why}` }] };
  }
  return { ...loadScenarioText(text), file: path };
}

export function resolveScenarioPath(file: string): string {
  return (BUNDLED_SCENARIOS as readonly string[]).includes(file) ? join(SCENARIO_DIR, `${file}.yaml`) : resolve(file);
}

/** "FILE: line[0].stations[1].cycleTime (12:5): message", one per line. */
export function formatScenarioIssues(result: {
  readonly issues: readonly ScenarioIssue[];
  readonly file?: string;
}): string {
  return result.issues.map((i) => `${result.file ?? 'scenario'}: ${formatIssue(i)}`).join('\n');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
