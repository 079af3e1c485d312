// Writes config/lineside.schema.json from the zod schema; with --check, fails when it is stale
// (CI runs the check so the editor schema never drifts from the code).
import { readFileSync, writeFileSync } from 'node:fs';
import { jsonSchemaText } from '../src/config/json-schema.js';

const file = new URL('../config/lineside.schema.json', import.meta.url);
const fresh = jsonSchemaText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== fresh) {
    console.error('config/lineside.schema.json is stale: run `npm run schema:gen` and commit it');
    process.exit(1);
  }
  console.log('config/lineside.schema.json is current');
} else {
  writeFileSync(file, fresh);
  console.log('wrote config/lineside.schema.json');
}
