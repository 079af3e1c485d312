import { z } from 'zod';
import { duration } from './schema-primitives.js';

/** End-of-shift reports (docs/reports.md): HTML, PDF and CSV files under `storage.dir/reports`. */
export const Reports = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe("write each line's report when a shift ends; POST /api/reports works either way"),
  retention: duration('1d', '3650d', 'report folders older than this are deleted; 1d to 3650d').prefault('90d'),
});
