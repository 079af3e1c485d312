import type { ConfigIssue } from './issues.js';

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces "${VAR}" and "${VAR:-default}" in every string of the parsed YAML with the
 * environment's value. A missing variable without a default is an issue at its path, so a
 * forgotten secret is named before anything starts. "$${X}" stays a literal "${X}".
 */
export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      // A scalar that is exactly one reference takes the type its value reads as in YAML, so
      // `port: ${PLC_PORT}` yields a number and `enabled: ${X}` a boolean.
      const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/.exec(v);
      const escaped = v.split('$${');
      const replaced = escaped.map((part) =>
        part.replace(REF, (_whole, name: string, fallback: string | undefined) => {
          const found = env[name];
          if (found !== undefined && found !== '') return found;
          if (fallback !== undefined) return fallback;
          issues.push({ path, message: `environment variable ${name} is not set` });
          return '';
        }),
      );
      const text = replaced.join('${');
      if (whole !== null) {
        if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
        if (text === 'true' || text === 'false') return text === 'true';
      }
      return text;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      // defineProperty, not assignment: a "__proto__" key stays a key (and is reported as unknown)
      // instead of replacing the object's prototype.
      for (const [k, item] of Object.entries(v))
        Object.defineProperty(out, k, {
          value: walk(item, [...path, k]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    }
    return v;
  };
  return { value: walk(value, []), issues };
}
