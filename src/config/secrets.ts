import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigIssue } from './issues.js';
import type { LinesideConfig } from './schema.js';

type Path = (string | number)[];

/**
 * Reads `<name>File` secrets into `<name>` and checks that TLS files exist, so a missing
 * certificate is a config error at start (with its path), not a reconnect loop at 3 a.m.
 * Mutates the freshly parsed (not yet frozen) config.
 */
export function resolveFiles(config: LinesideConfig, baseDir: string): ConfigIssue[] {
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
  readSecret(config.mqtt as unknown as Record<string, unknown>, 'password', ['mqtt']);
  readSecret(config.influx as unknown as Record<string, unknown>, 'password', ['influx']);
  readSecret(config.server as unknown as Record<string, unknown>, 'operatorToken', ['server']);
  readSecret(config.server as unknown as Record<string, unknown>, 'viewToken', ['server']);
  config.alerts.webhooks.forEach((w, i) => readSecret(w as unknown as Record<string, unknown>, 'secret', ['alerts', 'webhooks', i]));

  const tls = config.mqtt.tls;
  if (tls !== undefined) {
    for (const key of ['ca', 'cert', 'key'] as const) {
      const file = tls[key];
      if (file !== undefined && !existsSync(abs(file))) {
        issues.push({ path: ['mqtt', 'tls', key], message: `file not found: ${abs(file)}` });
      } else if (file !== undefined) {
        tls[key] = abs(file);
      }
    }
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      issues.push({ path: ['mqtt', 'tls'], message: 'client TLS needs both cert and key' });
    }
  }
  return issues;
}
