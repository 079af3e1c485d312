/**
 * Loading a plant server file (plant-schema.ts) the way load.ts loads an agent's config: YAML
 * with line:column, ${ENV} substitution, every problem collected and named by its path, secret
 * files read, and the result frozen. `configFileKind` tells check-config which of the two a file is.
 */
import { dirname, resolve } from 'node:path';
import { substituteEnv } from './env-subst.js';
import type { ConfigIssue } from './issues.js';
import { deepFreeze, inFileOrder, MAX_CONFIG_BYTES, readBounded } from './load.js';
import { isPlantConfigValue, PlantConfigSchema, type PlantConfig } from './plant-schema.js';
import { resolveFiles } from './secrets.js';
import { parseYaml } from './yaml-source.js';
import { fromZodIssues } from './zod-issues.js';

export type PlantLoadResult =
  | { readonly ok: true; readonly config: Readonly<PlantConfig> }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export interface PlantLoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory that relative secret and TLS file paths are resolved against. */
  readonly baseDir?: string;
}

export function loadPlantConfigText(text: string, options: PlantLoadOptions = {}): PlantLoadResult {
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES)
    return { ok: false, issues: [{ path: [], message: 'a config over 1 MB is refused before parsing' }] };
  const parsed = parseYaml(text);
  if ('issues' in parsed) return { ok: false, issues: parsed.issues };
  const { source } = parsed;
  const located = (issues: ConfigIssue[]): PlantLoadResult => ({
    ok: false,
    issues: inFileOrder(
      issues.map((i) => ({ ...i, ...(i.line === undefined ? (source.locate(i.path, i.atKey) ?? {}) : {}) })),
    ),
  });
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value))
    return located([{ path: [], message: 'a plant file must be a YAML map (kind: plant, sites:, mqtt:, ...)' }]);
  const substituted = substituteEnv(source.value, options.env ?? process.env);
  const result = PlantConfigSchema.safeParse(substituted.value, { reportInput: true });
  if (!result.success)
    return located([...substituted.issues, ...fromZodIssues(result.error, PlantConfigSchema, substituted.value)]);
  const config = result.data;
  // The agent's file checks: mqtt.passwordFile read into mqtt.password, TLS files made absolute
  // (both in place), storage.dir not a file. Only the parts a plant file shares are passed.
  const shared = { mqtt: config.mqtt, storage: config.storage };
  const issues = [...substituted.issues, ...resolveFiles(shared, options.baseDir ?? process.cwd())];
  if (issues.length > 0) return located(issues);
  return { ok: true, config: deepFreeze(config) };
}

export function loadPlantConfigFile(file: string, options: Omit<PlantLoadOptions, 'baseDir'> = {}): PlantLoadResult {
  const read = readBounded(file);
  if (typeof read !== 'string')
    return { ok: false, issues: [{ path: [], message: `cannot read ${resolve(file)}: ${read.why}` }] };
  return loadPlantConfigText(read, { ...options, baseDir: dirname(resolve(file)) });
}

/**
 * 'plant' for a plant server file, else 'agent' (also for a file that cannot be read or parsed:
 * the agent's loader then reports why, as it always did).
 */
export function configFileKind(file: string): 'plant' | 'agent' {
  const read = readBounded(file);
  if (typeof read !== 'string') return 'agent';
  const parsed = parseYaml(read);
  return 'source' in parsed && isPlantConfigValue(parsed.source.value) ? 'plant' : 'agent';
}

/** "2 sites, 3 linked lines, broker mqtt://broker:1883" */
export function summarizePlant(config: PlantConfig): string {
  const sites =
    config.sites === '+' ? 'every site' : `${config.sites.length} site${config.sites.length === 1 ? '' : 's'}`;
  const links = `${config.lines.length} linked line${config.lines.length === 1 ? '' : 's'}`;
  return `plant server: ${sites}, ${links}, history ${config.history.days} days`;
}
