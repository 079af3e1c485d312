/**
 * Database and retention policy at start-up (influx.createDatabase, default on):
 * - creates the database when missing, and the retention policy from the config when missing;
 *   the policy becomes the database's DEFAULT only when Lineside created the database itself
 *   (changing the default of someone else's database would move their writes);
 * - an existing policy with another duration is reported, never altered (shortening it deletes
 *   history; that is the database owner's decision);
 * - without admin rights (HTTP 403 / "requires admin privilege") it says which setting to change
 *   and goes on writing: the database may well exist already.
 * With createDatabase off it only checks that the policy exists, because a write to a missing
 * policy fails with a bare HTTP 500 that names nothing.
 *
 * Network and 5xx failures reject with WriteFailedError so the writer retries with its backoff.
 */
import type { InfluxDB } from 'influx';
import { LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { WriteFailedError } from './batch-writer.js';
import type { InfluxConfig, InfluxTarget } from './client.js';
import { classifyWriteError, describeFailure, type WriteFailure } from './failures.js';

const DURATION_UNITS_S: Readonly<Record<string, number>> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

/**
 * Seconds of an InfluxQL duration ("90d", "4w", "12h30m", "INF" -> 0, as InfluxDB shows infinite),
 * or undefined when the text is not one. InfluxDB reports durations as "2160h0m0s".
 */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (/^inf$/i.test(t)) return 0;
  if (!/^(\d+(w|d|h|m|s))+$/.test(t)) return undefined;
  let total = 0;
  for (const match of t.matchAll(/(\d+)(w|d|h|m|s)/g))
    total += Number(match[1]) * (DURATION_UNITS_S[match[2] as string] ?? 0);
  return total;
}

/** Throws CONFIG_INVALID for a duration InfluxQL would not accept (it is spliced into a statement). */
export function checkRetentionDuration(config: InfluxConfig): void {
  if (durationSeconds(config.retentionPolicy.duration) === undefined) {
    throw new LinesideError(
      'CONFIG_INVALID',
      `influx.retentionPolicy.duration "${config.retentionPolicy.duration}" is not an InfluxQL duration (e.g. 90d, 52w, 12h or INF)`,
      {
        path: ['influx', 'retentionPolicy', 'duration'],
      },
    );
  }
}

function failureOf(err: unknown): WriteFailure {
  const failure = classifyWriteError(err);
  // Statement errors come back as HTTP 200 with an error in the result (node-influx ResultError).
  if (failure.kind === 'retry' && failure.status === undefined && /authoriz|admin privilege/i.test(failure.detail))
    return { kind: 'auth', detail: failure.detail };
  if (failure.kind === 'retry' && (err as { name?: string } | null)?.name === 'ResultError')
    return { kind: 'unexpected', detail: failure.detail };
  return failure;
}

export interface SetupOutcome {
  readonly createdDatabase: boolean;
  readonly createdRetentionPolicy: boolean;
  /** Problems the user should know about; writing goes on regardless. */
  readonly warnings: readonly string[];
}

export async function prepareDatabase(
  influx: InfluxDB,
  target: InfluxTarget,
  config: InfluxConfig,
  log: Logger,
): Promise<SetupOutcome> {
  const db = target.database;
  const rpName = target.retentionPolicy;
  const warnings: string[] = [];
  let createdDatabase = false;
  let createdRetentionPolicy = false;
  /** Runs one statement: { value } on success, undefined after a reported auth/statement problem. */
  const step = async <T>(what: string, run: () => Promise<T>): Promise<{ value: T } | undefined> => {
    try {
      return { value: await run() };
    } catch (err) {
      const failure = failureOf(err);
      if (failure.kind === 'auth' || failure.kind === 'unexpected') {
        const hint =
          failure.kind === 'auth'
            ? config.createDatabase
              ? ' (the InfluxDB user needs admin rights for this; create the database and policy once by hand and set influx.createDatabase: false)'
              : " (check influx.username / influx.password and the user's READ/WRITE grants)"
            : '';
        warnings.push(`${what} on ${target.url} failed: ${describeFailure(failure)}${hint}`);
        return undefined;
      }
      throw new WriteFailedError(failure);
    }
  };

  if (config.createDatabase) {
    const names = await step('listing databases', () => influx.getDatabaseNames());
    // Without the list (no rights to it), CREATE DATABASE is still safe: it is a no-op when the
    // database exists. Only a confirmed absence lets our policy become the default.
    if (names === undefined || !names.value.includes(db)) {
      const done = await step(`CREATE DATABASE "${db}"`, () => influx.createDatabase(db));
      createdDatabase = done !== undefined && names !== undefined;
    }
  }
  const policies = await step(`SHOW RETENTION POLICIES ON "${db}"`, () => influx.showRetentionPolicies(db));
  if (policies !== undefined) {
    const existing = policies.value.find((p) => p.name === rpName);
    const wantedS = durationSeconds(config.retentionPolicy.duration);
    if (existing === undefined) {
      if (config.createDatabase) {
        const done = await step(`CREATE RETENTION POLICY "${rpName}"`, () =>
          influx.createRetentionPolicy(rpName, {
            database: db,
            duration: config.retentionPolicy.duration,
            replication: 1,
            isDefault: createdDatabase,
          }),
        );
        createdRetentionPolicy = done !== undefined;
      } else {
        warnings.push(
          `retention policy "${rpName}" does not exist on database "${db}" (${target.url}); writes will fail until it does: set influx.retentionPolicy.name to an existing policy (e.g. autogen) or let Lineside create it (influx.createDatabase: true)`,
        );
      }
    } else if (wantedS !== undefined && durationSeconds(existing.duration) !== wantedS) {
      warnings.push(
        `retention policy "${rpName}" on "${db}" keeps data for ${existing.duration}, the config says ${config.retentionPolicy.duration}; left as it is (ALTER RETENTION POLICY by hand if the config is right)`,
      );
    }
  }
  for (const w of warnings) log.warn(w);
  if (createdDatabase) log.info({ database: db }, `created InfluxDB database "${db}"`);
  if (createdRetentionPolicy)
    log.info(
      { database: db, retentionPolicy: rpName, duration: config.retentionPolicy.duration },
      `created retention policy "${rpName}" (${config.retentionPolicy.duration})`,
    );
  return { createdDatabase, createdRetentionPolicy, warnings };
}
