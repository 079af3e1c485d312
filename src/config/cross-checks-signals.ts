/** One station's signals: tag references, the tag types each role needs, one role per tag, one station per cycle source. */
import type { Add, Path } from './cross-checks-common.js';
import { checkTagRef, isInteger, type TagRefs } from './cross-checks-tag-refs.js';
import type { Signals } from './schema.js';
import type { Loose } from './tolerant.js';

export const CYCLE_SOURCES = ['cycleCounter', 'cycleEdge', 'cyclePulse'] as const;

/** Which station (and at which path) already takes each tag as its cycle source, across all lines. */
export type CycleOwners = Map<string, { station: string; path: Path }>;

export function checkSignals(
  s: Loose<Signals>,
  base: Path,
  stationId: string,
  tags: TagRefs,
  cycleOwners: CycleOwners,
  add: Add,
): void {
  const roles = new Map<string, string>();
  for (const [key, ref] of Object.entries(s)) {
    if (ref === undefined) continue;
    const path = [...base, 'signals', key];
    const role = roles.get(ref);
    if (role !== undefined) add(path, `"${ref}" is already this station's ${role}; one tag cannot also be its ${key}`);
    else roles.set(ref, key);
    if ((CYCLE_SOURCES as readonly string[]).includes(key)) {
      const owner = cycleOwners.get(ref);
      if (owner !== undefined)
        add(
          path,
          `"${ref}" is already the cycle source of station "${owner.station}" (${pathText(owner.path)}); each station needs its own, or both count every part`,
        );
      else cycleOwners.set(ref, { station: stationId, path });
    }
    const info = checkTagRef(ref, path, tags, add);
    if (info?.type === undefined) continue;
    if (
      (key === 'cycleCounter' || key === 'goodCount' || key === 'rejectCount' || key === 'faultCode') &&
      !isInteger(info)
    ) {
      add(path, `tag "${ref}" is ${info.type}; ${key} needs an integer tag`);
    }
    if (key === 'cyclePulse' && info.source !== 'gpio')
      add(
        path,
        `cyclePulse takes a GPIO input ("gpio.<input>"), not "${ref}"; use cycleCounter or cycleEdge for PLC tags`,
      );
    if (key === 'cycleCounter' && info.source === 'gpio') add(path, `"${ref}" is a GPIO input; use cyclePulse`);
  }
}

function pathText(path: Path): string {
  return path
    .slice(0, 4)
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}
