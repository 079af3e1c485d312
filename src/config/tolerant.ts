import type { z } from 'zod';

/**
 * A config as far as it validated: every field may be missing and every list item undefined
 * (left out because it did not validate), but whatever is there has its schema type, defaults
 * and parsed durations. The cross-field checks run on this so one bad value does not hide the
 * other problems in the file.
 */
export type Loose<T> = T extends readonly (infer U)[]
  ? readonly (Loose<U> | undefined)[]
  : T extends object
    ? { readonly [K in keyof T]?: Loose<T[K]> }
    : T;

interface DefLike {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
}

function def(schema: z.ZodType): DefLike {
  return (schema as unknown as { _zod: { def: DefLike } })._zod.def;
}

const SKIP = Symbol('skip');
const partial = new WeakSet<object>();

/**
 * True when `value` (an object or list from `parseTolerantly`) lost something to validation:
 * a field or item that did not validate, or (with unknown keys beside it) a default that may
 * not apply. Checks that conclude from an absence ("no cycle source", "no tag x") skip those.
 */
export function isPartial(value: unknown): boolean {
  return value !== null && typeof value === 'object' && partial.has(value);
}

/**
 * Parses `value` with `schema` part by part: objects field by field, lists item by item (keeping
 * indices, so paths stay right), records entry by entry, discriminated unions by their
 * discriminator. What fails on its own is left out. In an object with an unknown key, a missing
 * field gets no default: the unknown key may be that field misspelt.
 */
export function parseTolerantly(schema: z.ZodType, value: unknown): unknown {
  const out = tolerant(schema, value);
  return out === SKIP ? undefined : out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function tolerant(schema: z.ZodType, value: unknown): unknown {
  const whole = schema.safeParse(value);
  if (whole.success) return whole.data;
  const d = def(schema);
  if (d.innerType !== undefined && d.type !== 'pipe') return value === undefined ? SKIP : tolerant(d.innerType, value);
  if (d.type === 'object' && d.shape !== undefined) {
    if (!isMap(value)) return SKIP;
    const shape = d.shape;
    const hasUnknownKey = Object.keys(value).some((k) => !Object.hasOwn(shape, k));
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const raw = Object.hasOwn(value, key) ? value[key] : undefined;
      if (raw === undefined && hasUnknownKey) continue;
      const parsed = tolerant(field, raw);
      if (parsed !== SKIP && parsed !== undefined) out[key] = parsed;
    }
    partial.add(out);
    return out;
  }
  if (d.type === 'array' && d.element !== undefined) {
    if (!Array.isArray(value)) return SKIP;
    const element = d.element;
    // Array.from, not map: a hole becomes undefined instead of staying a hole.
    const out = Array.from(value as unknown[], (item) => {
      const parsed = tolerant(element, item);
      return parsed === SKIP ? undefined : parsed;
    });
    partial.add(out);
    return out;
  }
  if (d.type === 'record' && d.keyType !== undefined && d.valueType !== undefined) {
    if (!isMap(value)) return SKIP;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!d.keyType.safeParse(key).success) continue;
      const parsed = tolerant(d.valueType, item);
      if (parsed !== SKIP) out[key] = parsed;
    }
    partial.add(out);
    return out;
  }
  if (d.type === 'union' && d.discriminator !== undefined && d.options !== undefined && isMap(value)) {
    const key = d.discriminator;
    const option = d.options.find((o) => def(o).shape?.[key]?.safeParse(value[key]).success === true);
    return option === undefined ? SKIP : tolerant(option, value);
  }
  return SKIP;
}
