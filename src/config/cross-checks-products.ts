/**
 * Products: unique ids and PLC codes, ideal cycle times for stations that exist and that stay
 * under each station's micro-stop threshold, and product code registers that can hold a code.
 */
import { unique, type Add, type Config, type Path } from './cross-checks-common.js';
import { checkTagRef, isInteger, type TagRefs } from './cross-checks-tag-refs.js';
import { formatDurationMs } from './duration.js';
import { productCodeKey } from './schema-products.js';
import { didYouMean } from './suggest.js';

export function checkProducts(config: Config, tags: TagRefs, add: Add): void {
  const products = config.products ?? [];
  unique(
    products.map((p, i) => [p?.id, ['products', i, 'id']]),
    'product',
    add,
  );
  const codes = new Map<string, string>();
  const stations = new Map<string, { microStopThreshold?: number; idealCycleTime?: number }>();
  let stationsKnown = config.lines !== undefined;
  for (const line of config.lines ?? []) {
    if (line?.stations === undefined) stationsKnown = false;
    for (const st of line?.stations ?? []) {
      if (st?.id === undefined) stationsKnown = false;
      else stations.set(st.id, st);
    }
  }
  products.forEach((p, i) => {
    if (p === undefined) return;
    const base: Path = ['products', i];
    if (p.code !== undefined) {
      const key = productCodeKey(p.code);
      const owner = codes.get(key);
      if (owner !== undefined) add([...base, 'code'], `code ${JSON.stringify(p.code)} is already product "${owner}"'s`);
      else codes.set(key, p.id ?? String(i));
    }
    for (const [stationId, ideal] of Object.entries(p.stations ?? {})) {
      const station = stations.get(stationId);
      if (station === undefined) {
        if (stationsKnown)
          add([...base, 'stations', stationId], `no station "${stationId}"${didYouMean(stationId, stations.keys())}`);
        continue;
      }
      checkUnderThreshold(ideal, station.microStopThreshold, [...base, 'stations', stationId], stationId, add);
    }
    if (p.idealCycleTime !== undefined) {
      for (const [stationId, station] of stations) {
        if (p.stations?.[stationId] !== undefined) continue;
        checkUnderThreshold(p.idealCycleTime, station.microStopThreshold, [...base, 'idealCycleTime'], stationId, add);
      }
    }
  });

  (config.lines ?? []).forEach((line, li) => {
    if (line?.productCode !== undefined) checkCodeTag(line.productCode, ['lines', li, 'productCode'], tags, add);
    (line?.stations ?? []).forEach((st, si) => {
      const ref = st?.signals?.productCode;
      // signals.productCode's existence is checked with the other signals; its type and use here.
      if (ref !== undefined)
        checkCodeTag(ref, ['lines', li, 'stations', si, 'signals', 'productCode'], tags, add, false);
    });
    const usesCodes = line?.productCode !== undefined || (line?.stations ?? []).some((st) => st?.signals?.productCode);
    if (usesCodes && config.products !== undefined && codes.size === 0 && products.every((p) => p !== undefined))
      add(
        line?.productCode !== undefined ? ['lines', li, 'productCode'] : ['lines', li],
        'a product code register needs products with a "code" to map its values to',
      );
  });
}

function checkUnderThreshold(
  ideal: number | undefined,
  threshold: number | undefined,
  path: Path,
  station: string,
  add: Add,
): void {
  if (ideal === undefined || threshold === undefined || ideal < threshold) return;
  add(path, `must be shorter than station "${station}"'s microStopThreshold (${formatDurationMs(threshold)})`);
}

function checkCodeTag(ref: string, path: Path, tags: TagRefs, add: Add, checkExists = true): void {
  const info = checkExists ? checkTagRef(ref, path, tags, add) : tags.tags.get(ref);
  if (info?.type === undefined) return;
  if (
    info.type !== 'string' &&
    (!isInteger(info) || info.type === 'bool' || info.type === 'bit' || info.type === 'count')
  )
    add(path, `tag "${ref}" is ${info.type}; a product code needs an integer or string tag`);
}
