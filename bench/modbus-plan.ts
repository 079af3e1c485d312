/**
 * Requests per poll: what the read planner sends for real configs, against one request per tag
 * (what many pollers do) and against the optimum found by an exhaustive search over every way
 * of grouping the tags (not only the address-ordered runs the planner considers), or, for areas
 * too big to search, by a lower bound that the plan meets.
 *
 *   npx tsx bench/modbus-plan.ts [config.yaml ...]     (default: config/example.yaml and the simulator configs)
 */
import { existsSync } from 'node:fs';
import { loadConfigFile } from '../src/config/load.js';
import { limitsFor, naiveRequestCount, planReads, planTag, type PlannedTag } from '../src/sources/modbus/planner.js';

const files =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : [
        'config/example.yaml',
        ...['demo', 'steady', 'degrading', 'flaky-comms'].map((n) => `simulator/scenarios/${n}.config.yaml`),
      ].filter(existsSync);

/** Exhaustive optimum: fewest groups over all set partitions (branch and bound). Undefined if too big. */
function exhaustiveMinimum(
  tags: readonly PlannedTag[],
  cap: number,
  gap: number,
  upperBound: number,
): number | undefined {
  if (tags.length > 14) return undefined;
  const feasible = (group: PlannedTag[]): boolean => {
    const sorted = [...group].sort((a, b) => a.offset - b.offset);
    const start = sorted[0]!.offset;
    let end = start + sorted[0]!.count - 1;
    for (const t of sorted.slice(1)) {
      if (t.offset - (end + 1) > gap) return false;
      end = Math.max(end, t.offset + t.count - 1);
    }
    return end - start + 1 <= cap;
  };
  let best = upperBound;
  const groups: PlannedTag[][] = [];
  const assign = (i: number): void => {
    if (groups.length >= best) return;
    if (i === tags.length) {
      best = groups.length;
      return;
    }
    const tag = tags[i]!;
    for (const g of groups) {
      g.push(tag);
      if (feasible(g)) assign(i + 1);
      g.pop();
    }
    groups.push([tag]);
    assign(i + 1);
    groups.pop();
  };
  assign(0);
  return best;
}

/**
 * A lower bound for maps too big to search: parts of the address space separated by more than
 * maxGap unused registers can never share a request, and a part spanning S registers needs at
 * least ceil(S / cap) requests.
 */
function lowerBound(tags: readonly PlannedTag[], cap: number, gap: number): number {
  const sorted = [...tags].sort((a, b) => a.offset - b.offset);
  let bound = 0;
  let start = sorted[0]!.offset;
  let end = start + sorted[0]!.count - 1;
  for (const t of sorted.slice(1)) {
    if (t.offset - (end + 1) > gap) {
      bound += Math.ceil((end - start + 1) / cap);
      start = t.offset;
    }
    end = Math.max(end, t.offset + t.count - 1);
  }
  return bound + Math.ceil((end - start + 1) / cap);
}

const table: string[][] = [['config', 'device', 'tags', 'one per tag', 'Lineside', 'optimal', 'registers read']];
let totals = { naive: 0, plan: 0, optimal: 0, exact: true };
for (const file of files) {
  const loaded = loadConfigFile(file);
  if (!loaded.ok) {
    console.error(`${file}: not a valid config (${loaded.issues.length} issues), skipped`);
    continue;
  }
  for (const device of loaded.config.devices) {
    const plan = planReads(device);
    const naive = naiveRequestCount(device);
    let optimal = 0;
    let exact = true;
    for (const area of ['holding', 'input', 'coil', 'discrete'] as const) {
      const tags = device.tags
        .map((t) => planTag(device, t))
        .filter((t): t is PlannedTag => typeof t !== 'string' && t.area === area);
      if (tags.length === 0) continue;
      const planned = plan.reads.filter((r) => r.area === area).length;
      const { cap, gap } = limitsFor(device, area);
      // Exhaustive search where feasible; else a lower bound that, when it meets the plan, proves it.
      const min =
        exhaustiveMinimum(tags, cap, gap, planned) ?? (lowerBound(tags, cap, gap) === planned ? planned : undefined);
      if (min === undefined) exact = false;
      optimal += min ?? planned;
    }
    totals = {
      naive: totals.naive + naive,
      plan: totals.plan + plan.reads.length,
      optimal: totals.optimal + optimal,
      exact: totals.exact && exact,
    };
    table.push([
      file,
      device.id,
      String(device.tags.length),
      String(naive),
      String(plan.reads.length),
      exact ? String(optimal) : `<= ${optimal} (too many tags to search)`,
      String(plan.reads.reduce((n, r) => n + r.count, 0)),
    ]);
  }
}
table.push([
  'total',
  '',
  '',
  String(totals.naive),
  String(totals.plan),
  totals.exact ? String(totals.optimal) : `<= ${totals.optimal}`,
  '',
]);
const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log('Modbus read planning: requests per poll');
for (const row of table) console.log(`  ${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`);
