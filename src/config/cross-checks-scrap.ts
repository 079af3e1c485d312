/**
 * Scrap reasons (docs/oee.md#scrap-reasons): unique ids, the per-reason reject counters of the
 * stations (a known reason, an integer tag, not the station's reject counter itself), and a
 * start-up window that says when it ends.
 */
import { unique, type Add, type Config } from './cross-checks-common.js';
import { checkTagRef, isInteger, type TagRefs } from './cross-checks-tag-refs.js';
import { didYouMean } from './suggest.js';

export function checkScrap(config: Config, tags: TagRefs, add: Add): void {
  const reasons = config.scrapReasons ?? [];
  unique(
    reasons.map((r, i) => [r?.id, ['scrapReasons', i, 'id']]),
    'scrap reason',
    add,
  );
  const ids = new Set(reasons.flatMap((r) => (r?.id === undefined ? [] : [r.id])));
  const known = config.scrapReasons === undefined || reasons.every((r) => r?.id !== undefined);
  (config.lines ?? []).forEach((line, li) => {
    const startup = line?.changeovers?.startup;
    if (startup !== undefined && startup.goodParts === undefined && startup.duration === undefined)
      add(['lines', li, 'changeovers', 'startup'], 'say when start-up ends: goodParts, duration or both');
    (line?.stations ?? []).forEach((station, si) => {
      for (const [reason, tag] of Object.entries(station?.scrapCounts ?? {})) {
        const path = ['lines', li, 'stations', si, 'scrapCounts', reason];
        if (known && !ids.has(reason))
          add(path, `no scrap reason "${reason}" in scrapReasons${didYouMean(reason, ids)}`);
        if (typeof tag !== 'string') continue;
        if (tag === station?.signals?.rejectCount)
          add(path, `"${tag}" is the station's rejectCount: a scrap counter counts one reason's rejects`);
        const info = checkTagRef(tag, path, tags, add);
        if (info !== undefined && !isInteger(info))
          add(path, `tag "${tag}" is ${String(info.type)}; a reject counter must be an integer type`);
      }
    });
  });
}
