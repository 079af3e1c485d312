/**
 * The entry to the cross-field checks: runs each group (cross-checks-*.ts) in a fixed order, so
 * the issues come out in the same order on every load.
 */
import type { Add, Config } from './cross-checks-common.js';
import { checkDevices, checkGpio } from './cross-checks-devices.js';
import { checkLines, checkReasons } from './cross-checks-lines.js';
import { checkScrap } from './cross-checks-scrap.js';
import { checkOutputs } from './cross-checks-outputs.js';
import { checkProducts } from './cross-checks-products.js';
import { checkReports } from './cross-checks-reports.js';
import { checkShifts } from './cross-checks-shifts.js';
import { tagRefs } from './cross-checks-tag-refs.js';
import type { ConfigIssue } from './issues.js';

/**
 * Checks that span fields: unique ids, references to tags and reasons, addresses and register
 * overlaps, buses, timing that depends on two fields, shifts. Runs on a fully parsed config or,
 * when the schema found problems, on whatever did parse (`parseTolerantly`), so every problem is
 * reported at once: each check skips what is missing, and a check that concludes from an absence
 * ("no tag", "needs a cycle source") runs only where nothing was lost. `written` is the config as
 * written (before defaults), so a problem with a default names the field the user did set.
 */
export function crossCheck(config: Config, written?: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add: Add = (path, message) => issues.push({ path, message });
  const tags = tagRefs(config);

  checkDevices(config, add, written);
  checkGpio(config, add);
  const reasons = checkReasons(config, add);
  checkLines(config, tags, reasons, add);
  checkScrap(config, tags, add);
  checkProducts(config, tags, add);
  checkShifts(config, add);
  checkOutputs(config, add);
  checkReports(config, add);
  return issues;
}
