import type { z } from 'zod';
import type { ConfigIssue } from './issues.js';
import { DURATION_SCHEMAS } from './schema-primitives.js';
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

/** The schemas a value at `path` may have to match (across union options), unwrapped. */
function schemasAt(schema: z.ZodType, path: readonly (string | number)[], keepDurations: boolean): z.ZodType[] {
  let current: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    if (keepDurations && DURATION_SCHEMAS.has(s)) return [s];
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
  return current.flatMap(unwrap);
}

/** Object keys the schema allows at `path` (across union options), for "did you mean". */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path, false)) for (const k of Object.keys(def(s).shape ?? {})) keys.add(k);
  return [...keys];
}

/** The value the user wrote at `path`, or undefined when the path is not there. */
function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/**
 * Turns zod's issues into config issues with messages a plant engineer can act on. `input` is
 * the value that was parsed: it tells a missing key from a wrong value when zod was not asked to
 * report inputs (`safeParse(value, { reportInput: true })`).
 */
export function fromZodIssues(error: z.ZodError, schema: z.ZodType, input?: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: Path) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    const got = 'input' in issue ? issue.input : valueAt(input, path);
    const gotText = got === undefined ? '' : `; got ${describe(got)}`;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        for (const key of issue.keys) {
          out.push({ path: [...path, key], message: `unknown key "${key}"${didYouMean(key, known)}`, atKey: true });
        }
        return;
      }
      case 'invalid_type': {
        const isDuration =
          issue.expected === 'string' && schemasAt(schema, path, true).some((s) => DURATION_SCHEMAS.has(s));
        const expected = isDuration ? 'a duration with a unit, such as "500ms", "10s" or "2m"' : issue.expected;
        if (got === undefined)
          out.push({ path, message: `required (${isDuration ? 'a duration such as "10s"' : issue.expected})` });
        else out.push({ path, message: `expected ${expected}; got ${describe(got)}` });
        return;
      }
      case 'invalid_value':
        out.push({
          path,
          message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${gotText}`,
        });
        return;
      case 'invalid_union': {
        // A discriminated union with an unknown discriminator reports no sub-issues.
        if (issue.errors.length === 0) {
          const options =
            'options' in issue && issue.options ? issue.options.map((o) => JSON.stringify(o)).join(', ') : '';
          const where =
            issue.discriminator && path[path.length - 1] !== issue.discriminator
              ? [...path, issue.discriminator]
              : path;
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
        else out.push({ path, message: `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}${gotText}` });
        return;
      case 'too_big':
        if (issue.origin === 'array') out.push({ path, message: `allows at most ${String(issue.maximum)} item(s)` });
        else if (issue.origin === 'string')
          out.push({ path, message: `must be at most ${String(issue.maximum)} characters${gotText}` });
        else out.push({ path, message: `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}${gotText}` });
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
