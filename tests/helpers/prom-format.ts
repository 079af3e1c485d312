/**
 * Checks of the Prometheus text format that promtool does not make. Prometheus's Go parser merges
 * a family's samples wherever they appear, so promtool passes split-up families; Python's
 * prometheus_client starts a new untyped family instead. This checks the stricter reading:
 * every family declared once, HELP then TYPE, then all of its samples in one block.
 */
import { spawnSync } from 'node:child_process';
import { requireBinary } from './binaries.js';

/** The family a sample belongs to: a summary's `_sum`/`_count` and a histogram's `_bucket` too. */
function familyOf(sampleName: string, types: ReadonlyMap<string, string>): string {
  for (const suffix of ['_sum', '_count', '_bucket']) {
    const base = sampleName.slice(0, -suffix.length);
    if (sampleName.endsWith(suffix) && (types.get(base) === 'summary' || types.get(base) === 'histogram')) return base;
  }
  return sampleName;
}

/** Problems in `text`, one line each; empty when the exposition is well-formed. */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name = '', rest = ''] = meta;
      if (kind === 'HELP') {
        if (helps.has(name) || types.has(name)) problems.push(`${name}: declared again or HELP after TYPE`);
        helps.add(name);
      } else {
        if (types.has(name)) problems.push(`${name}: second TYPE`);
        if (!helps.has(name)) problems.push(`${name}: TYPE without HELP before it`);
        types.set(name, rest);
        if (rest === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counter not named _total`);
      }
      current = name;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? \S+$/.exec(line);
    if (sample === null) {
      problems.push(`unparsable line: ${line}`);
      continue;
    }
    const [, name = '', labels = ''] = sample;
    const family = familyOf(name, types);
    if (!types.has(family)) problems.push(`${name}: sample without TYPE`);
    else if (family !== current)
      problems.push(`${name}: sample outside its family's block (after ${current ?? 'nothing'})`);
    const type = types.get(family);
    if (/[{,]quantile="/.test(labels) && type !== 'summary')
      problems.push(`${name}: quantile label on a ${type ?? 'untyped'}`);
    if (/[{,]le="/.test(labels) && type !== 'histogram') problems.push(`${name}: le label on a ${type ?? 'untyped'}`);
  }
  return problems;
}

/** Runs `promtool check metrics` on `text` (stdin). Throws if promtool is missing: no skip. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const promtool = requireBinary('promtool', 'prometheus');
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
