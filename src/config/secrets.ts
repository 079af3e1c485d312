import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigIssue } from './issues.js';
import type { LinesideConfig } from './schema.js';
import { isPartial, type Loose } from './tolerant.js';

type Path = (string | number)[];

/**
 * Reads `<name>File` secrets into `<name>`, checks that TLS files exist and that storage.dir is
 * not a file, so a missing certificate is a config error at start (with its path), not a
 * reconnect loop at 3 a.m. Mutates the freshly parsed (not yet frozen) config. Also runs on a
 * config that only partly validated (then whatever is missing is skipped).
 */
export function resolveFiles(config: LinesideConfig | Loose<LinesideConfig>, baseDir: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const readSecret = (holder: Record<string, unknown>, name: string, path: Path) => {
    const file = holder[`${name}File`];
    if (typeof file !== 'string') return;
    if (typeof holder[name] === 'string' && holder[name] !== '') {
      issues.push({ path: [...path, `${name}File`], message: `set either ${name} or ${name}File, not both` });
      return;
    }
    try {
      holder[name] = (readFileSync(abs(file), 'utf8').split(/\r?\n/)[0] ?? '').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      issues.push({ path: [...path, `${name}File`], message: `cannot read secret file ${abs(file)} (${code})` });
    }
  };
  const holder = (value: object | undefined) => (value ?? {}) as Record<string, unknown>;
  readSecret(holder(config.mqtt), 'password', ['mqtt']);
  readSecret(holder(config.influx), 'password', ['influx']);
  readSecret(holder(config.influx), 'token', ['influx']);
  readSecret(holder(config.server), 'operatorToken', ['server']);
  readSecret(holder(config.server), 'viewToken', ['server']);
  readSecret(holder(config.reports?.email), 'password', ['reports', 'email']);
  readSecret(holder(config.reports?.webhook), 'token', ['reports', 'webhook']);
  readSecret(holder(config.reports?.webhook), 'secret', ['reports', 'webhook']);
  (config.alerts?.webhooks ?? []).forEach((w, i) => readSecret(holder(w), 'secret', ['alerts', 'webhooks', i]));

  const usersFile = config.server?.usersFile;
  if (typeof usersFile === 'string' && config.server !== undefined)
    (config.server as Record<string, unknown>).usersFile = abs(usersFile);

  for (const name of ['email', 'webhook'] as const) {
    const delivery = config.reports?.[name] as { ca?: string } | undefined;
    if (typeof delivery?.ca !== 'string') continue;
    if (!existsSync(abs(delivery.ca)))
      issues.push({ path: ['reports', name, 'ca'], message: `file not found: ${abs(delivery.ca)}` });
    else delivery.ca = abs(delivery.ca);
  }

  const dir = config.storage?.dir;
  if (dir !== undefined) {
    const problem = notADirectory(dir);
    if (problem !== undefined) issues.push({ path: ['storage', 'dir'], message: problem });
  }

  const tls = config.mqtt?.tls as Record<'ca' | 'cert' | 'key', string | undefined> | undefined;
  if (tls !== undefined) {
    for (const key of ['ca', 'cert', 'key'] as const) {
      const file = tls[key];
      if (file !== undefined && !existsSync(abs(file))) {
        issues.push({ path: ['mqtt', 'tls', key], message: `file not found: ${abs(file)}` });
      } else if (file !== undefined) {
        tls[key] = abs(file);
      }
    }
    if ((tls.cert === undefined) !== (tls.key === undefined) && !isPartial(tls)) {
      issues.push({ path: ['mqtt', 'tls'], message: 'client TLS needs both cert and key' });
    }
  }
  return issues;
}

/**
 * Why `dir` cannot be the storage directory, or undefined. It may be missing (the agent creates
 * it); it must not be a file, nor lie under one. Relative paths are taken from the working
 * directory, as the agent does.
 */
function notADirectory(dir: string): string | undefined {
  const abs = resolve(dir);
  try {
    if (!statSync(abs).isDirectory())
      return `${abs} exists and is not a directory; storage.dir needs a directory (it is created when missing)`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return `${abs} lies under a file, not a directory; storage.dir needs a directory (it is created when missing)`;
  }
  return undefined;
}
