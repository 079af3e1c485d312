import type { z } from 'zod';
import type { ConfigIssue } from './issues.js';
import { didYouMean } from './suggest.js';

type Path = (string | number)[];

interface ZodDefLike {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
}

function def(schema: z.ZodType): ZodDefLike {
  // zod 4 keeps the definition on _zod.def; it is public enough to walk for key suggestions.
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

/** Object keys the schema allows at `path` (across union options), for "did you mean". */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let current: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    const d = def(s);
    if (d.innerType) return unwrap(d.innerType);
    if (d.type === 'pipe' && d.in) return unwrap(d.in);
    if (d.options) return d.options.flatMap(unwrap);
    return [s];
  };
  for (const key of path) {
    const next: z.ZodType[] = [];
    for (const s of current.flatMap(unwrap)) {
      const d = def(s);
      if (typeof key === 'number' && d.element) next.push(d.element);
      else if (typeof key === 'string' && d.shape?.[key]) next.push(d.shape[key]);
      else if (d.valueType) next.push(d.valueType);
    }
    current = next;
  }
  const keys = new Set<string>();
  for (const s of current.flatMap(unwrap)) for (const k of Object.keys(def(s).shape ?? {})) keys.add(k);
  return [...keys];
}

/** Turns zod's issues into config issues with messages a plant engineer can act on. */
export function fromZodIssues(error: z.ZodError, schema: z.ZodType): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: Path) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        for (const key of issue.keys) {
          out.push({ path: [...path, key], message: `unknown key "${key}"${didYouMean(key, known)}`, atKey: true });
        }
        return;
      }
      case 'invalid_type':
        if (issue.input === undefined) out.push({ path, message: `required (${issue.expected})` });
        else out.push({ path, message: `expected ${issue.expected}, got ${describe(issue.input)}` });
        return;
      case 'invalid_value':
        out.push({ path, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; got ${describe(issue.input)}` });
        return;
      case 'invalid_union': {
        // A discriminated union with an unknown discriminator reports no sub-issues.
        if (issue.errors.length === 0) {
          const options = 'options' in issue && issue.options ? issue.options.map((o) => JSON.stringify(o)).join(', ') : '';
          const where = issue.discriminator && path[path.length - 1] !== issue.discriminator ? [...path, issue.discriminator] : path;
          out.push({ path: where, message: options ? `must be one of ${options}` : issue.message });
          return;
        }
        // Report the branch with the fewest problems: it is what the user most likely meant.
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
        for (const sub of best) visit(sub, path);
        return;
      }
      case 'too_small':
        if (issue.origin === 'array') out.push({ path, message: `needs at least ${String(issue.minimum)} item(s)` });
        else if (issue.origin === 'string') out.push({ path, message: 'must not be empty' });
        else out.push({ path, message: `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}; got ${describe(issue.input)}` });
        return;
      case 'too_big':
        out.push({ path, message: `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}; got ${describe(issue.input)}` });
        return;
      default:
        out.push({ path, message: issue.message });
    }
  };
  for (const issue of error.issues) visit(issue, []);
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
